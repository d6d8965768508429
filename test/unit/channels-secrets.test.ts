import { describe, expect, it } from 'vitest';
import { rotateSecrets } from '../../functions/domain/channels';

describe('Function: rotateSecrets, at the edges', () => {
  it('takes a first secret alone when the channel had none', () => {
    expect(rotateSecrets([], { webhookSecret: 'first' })).toEqual(['first']);
  });

  it('changes nothing when asked for nothing', () => {
    expect(rotateSecrets(['new', 'old'], {})).toEqual(['new', 'old']);
  });

  it('ends a rotation and starts none when the new secret is the current one', () => {
    expect(rotateSecrets(['new', 'old'], { webhookSecret: 'new', previousWebhookSecret: null })).toEqual(['new']);
  });

  it('starts a rotation and ends it in one change, leaving only the new secret', () => {
    expect(rotateSecrets(['old'], { webhookSecret: 'new', previousWebhookSecret: null })).toEqual(['new']);
  });

  it('returns a new list, never the one it was given', () => {
    const secrets = ['a', 'b'];

    const next = rotateSecrets(secrets, {});
    next.push('c');

    expect(secrets).toEqual(['a', 'b']);
  });
});
