import { describe, expect, it } from 'vitest';
import { rotateSecrets } from '../../functions/domain/channels';

describe('Function: rotateSecrets', () => {
  it('keeps the current secret as the previous one when a new one comes', () => {
    expect(rotateSecrets(['old'], { webhookSecret: 'new' })).toEqual(['new', 'old']);
  });

  it('forgets the oldest secret when a rotation starts during a rotation', () => {
    expect(rotateSecrets(['mid', 'old'], { webhookSecret: 'new' })).toEqual(['new', 'mid']);
  });

  it('ends a rotation, leaving only the current secret', () => {
    expect(rotateSecrets(['new', 'old'], { previousWebhookSecret: null })).toEqual(['new']);
  });

  it('changes nothing when the same secret is sent again', () => {
    expect(rotateSecrets(['new', 'old'], { webhookSecret: 'new' })).toEqual(['new', 'old']);
  });
});
