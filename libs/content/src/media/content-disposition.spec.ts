import { inlineContentDisposition } from './content-disposition';

describe('inlineContentDisposition', () => {
  it('encodes the name as RFC 8187 UTF-8', () => {
    expect(inlineContentDisposition('photo.png')).toBe("inline; filename*=UTF-8''photo.png");
    expect(inlineContentDisposition("résumé (final)'s *copy*.pdf")).toBe("inline; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29%27s%20%2Acopy%2A.pdf");
  });

  it('leaves nothing that could end the parameter or the header', () => {
    const header = inlineContentDisposition('a"; filename="evil.html\r\nSet-Cookie: x=1');
    expect(header).toMatch(/^inline; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]+$/);
    expect(decodeURIComponent(header.slice("inline; filename*=UTF-8''".length))).toBe('a"; filename="evil.html\r\nSet-Cookie: x=1');
  });
});
