/** Rules shared by EnvSchema and the variables platforms declare (src/integrations/<name>/<name>.config.ts). */

// Reads the raw value: implicit conversion would already have turned "false" into true.
export const toBool = ({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown => {
  const value = obj[key];
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
export const httpUrl = { protocols: ['http', 'https'], require_tld: false, require_protocol: true };
export const httpUrlMessage = { message: '$property must be an http:// or https:// URL' };
