import { FALLBACK_FILENAME, MAX_FILENAME_LENGTH, sanitizeFilename } from './media-filename';

describe('sanitizeFilename', () => {
  it('keeps ordinary names, Unicode included', () => {
    expect(sanitizeFilename('photo.png')).toBe('photo.png');
    expect(sanitizeFilename('résumé (final) v2.pdf')).toBe('résumé (final) v2.pdf');
    expect(sanitizeFilename('日本語.txt')).toBe('日本語.txt');
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system.ini', 'system.ini'],
    ['/absolute/path/file.txt', 'file.txt'],
    ['dir/', FALLBACK_FILENAME],
    ['..', FALLBACK_FILENAME],
    ['.', FALLBACK_FILENAME],
    ['', FALLBACK_FILENAME],
    ['a..b....txt', 'a.b.txt'],
    ['.htaccess', 'htaccess'],
    ['  spaced name.txt. ', 'spaced name.txt'],
    ['bad\u0000\r\nname\u007f.txt', 'badname.txt'],
    ['invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['half\ud800.txt', 'half.txt'],
  ])('makes %j harmless: %j', (raw, expected) => {
    expect(sanitizeFilename(raw)).toBe(expected);
  });

  it('shortens long names by code points and keeps the extension', () => {
    const name = sanitizeFilename(`${'😀'.repeat(300)}.jpeg`);
    expect([...name]).toHaveLength(MAX_FILENAME_LENGTH);
    expect(name.endsWith('😀.jpeg')).toBe(true);
    expect(sanitizeFilename('x'.repeat(400))).toBe('x'.repeat(MAX_FILENAME_LENGTH));
  });
});
