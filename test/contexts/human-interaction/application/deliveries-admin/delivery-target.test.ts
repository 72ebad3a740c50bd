import { targetHostOf } from '../../../../../src/contexts/human-interaction/application/deliveries-admin/delivery-target';

describe('what an operator sees of a delivery target', () => {
  it.each([
    ['email', 'Bob.Smith@Example.COM', 'example.com'],
    ['email', '"odd@name"@mail.example.org', 'mail.example.org'],
    ['webhook', 'https://hooks.slack.com/services/T000/B000/XXXXSECRET', 'hooks.slack.com'],
    ['webhook', 'https://user:password@hooks.example.com:8443/path?token=secret#frag', 'hooks.example.com:8443'],
    ['webhook', 'not a url', '(not a URL)'],
  ] as const)('%s %s → %s', (channel, target, shown) => {
    expect(targetHostOf(channel, target)).toBe(shown);
  });
});
