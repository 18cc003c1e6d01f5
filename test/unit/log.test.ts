import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../shared/log.ts';

describe('log', () => {
  it('masks secrets and photo data when fields carry them', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const photo = Buffer.alloc(3000, 7).toString('base64');
    log.info('called', {
      accessKeySecret: 'shh',
      securityToken: 'tok',
      refFaceContent: photo,
      note: `prefix ${photo}`,
      headers: { authorization: 'Bearer abc' },
      url: 'https://x/?AccessKeyId=LTAI123&Signature=abc%3D',
    });
    const text = lines.join('\n');
    expect(text).not.toContain('shh');
    expect(text).not.toContain('tok');
    expect(text).not.toContain(photo.slice(0, 100));
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('LTAI123');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'called' });
  });

  it('serialises errors through their cause when an error is logged', () => {
    const err = new Error('outer', { cause: new Error('inner') });
    expect(redact({ err })).toMatchObject({ err: { message: 'outer', cause: { message: 'inner' } } });
  });

  it('drops entries below the level when a level is set', () => {
    const lines: string[] = [];
    createLogger({ level: 'warn', write: (l) => lines.push(l) }).info('x');
    expect(lines).toHaveLength(0);
  });
});
