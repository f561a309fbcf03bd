import { parseWalPosition, walPositionFromKey, walPositionKey } from './wal-position';

describe('WAL positions', () => {
  it('reads pg_lsn text as one 64-bit number', () => {
    expect(parseWalPosition('0/0')).toBe(0n);
    expect(parseWalPosition('0/3000060')).toBe(0x3000060n);
    expect(parseWalPosition('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseWalPosition('1/0') > parseWalPosition('0/FFFFFFFF')).toBe(true);
  });

  it('refuses anything else', () => {
    expect(() => parseWalPosition('')).toThrow(/pg_lsn/);
    expect(() => parseWalPosition('16B374D848')).toThrow(/pg_lsn/);
  });

  it('keys compare as strings the way positions compare as numbers, and read back', () => {
    const positions = ['0/0', '0/FF', '0/100', '1/0', 'FFFFFFFF/FFFFFFFF'].map(parseWalPosition);
    const keys = positions.map(walPositionKey);
    expect([...keys].sort()).toEqual(keys);
    expect(keys.map(walPositionFromKey)).toEqual(positions);
  });
});
