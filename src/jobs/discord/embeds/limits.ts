/**
 * Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits),
 * enforced before the typed builders see the text (they throw past a limit, and do not check the total).
 * Text is cut with `…`; multi-line text (the announcement's description, a summary field's value) loses
 * whole lines from the end, replaced by a `… and N more` line, rather than being cut mid-line.
 * Lengths are JavaScript string lengths (UTF-16 code units), never fewer than Discord counts.
 */
import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';

export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  total: 6000,
} as const;

export const ELLIPSIS = '…';

/** Below this a multi-line text is not shrunk further to meet the 6000 total; fields are dropped instead. */
const MIN_SHRINK = 64;

/** The text cut to at most `max` characters, ending in `…` when cut (never splitting a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return text.slice(0, Math.max(cut, 0)).trimEnd() + ELLIPSIS;
}

/**
 * The text in at most `max` characters, dropping whole lines from the end and adding `… and N more`
 * (N = the non-blank lines dropped). When not even the first line fits, the text is cut with `…`.
 */
export function truncateLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  for (let keep = lines.length - 1; keep >= 1; keep--) {
    const kept = lines.slice(0, keep);
    while (kept.length > 0 && kept[kept.length - 1]!.trim() === '') kept.pop();
    if (kept.length === 0) break;
    const dropped = lines.slice(keep).filter((l) => l.trim() !== '').length;
    const candidate = `${kept.join('\n')}\n${ELLIPSIS} and ${dropped} more`;
    if (candidate.length <= max) return candidate;
  }
  return truncate(text, max);
}

/** Characters the embed counts towards the 6000 total. */
export function embedTotalLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0)
  );
}

/**
 * The embed within every limit: each part capped on its own, then, while the total is over 6000, the
 * longest of the description and the field values is shortened (by lines) by the excess; fields are
 * dropped from the end only if that cannot be enough.
 */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = truncate(out.title, EMBED_LIMITS.title);
  if (out.description !== undefined) out.description = truncateLines(out.description, EMBED_LIMITS.description);
  if (out.footer !== undefined) out.footer = { ...out.footer, text: truncate(out.footer.text, EMBED_LIMITS.footerText) };
  if (out.author !== undefined) out.author = { ...out.author, name: truncate(out.author.name, EMBED_LIMITS.authorName) };
  let fields: APIEmbedField[] | undefined = out.fields?.slice(0, EMBED_LIMITS.fields).map((f) => ({
    ...f,
    name: truncate(f.name, EMBED_LIMITS.fieldName),
    value: truncateLines(f.value, EMBED_LIMITS.fieldValue),
  }));
  if (fields !== undefined) out.fields = fields;

  for (;;) {
    const excess = embedTotalLength(out) - EMBED_LIMITS.total;
    if (excess <= 0) return out;
    // The longest shrinkable text: the description (-1) or a field value (index).
    let target = -2;
    let longest = MIN_SHRINK;
    if ((out.description?.length ?? 0) > longest) {
      target = -1;
      longest = out.description!.length;
    }
    fields?.forEach((f, i) => {
      if (f.value.length > longest) {
        target = i;
        longest = f.value.length;
      }
    });
    if (target === -2) {
      if (fields !== undefined && fields.length > 0) {
        fields = fields.slice(0, -1);
        out.fields = fields;
        continue;
      }
      // Only title, footer and author are left over 6000, which their own caps make impossible.
      return out;
    }
    const max = Math.max(longest - excess, MIN_SHRINK);
    if (target === -1) out.description = truncateLines(out.description!, max);
    else {
      const f = fields![target]!;
      fields![target] = { ...f, value: truncateLines(f.value, max) };
    }
  }
}
