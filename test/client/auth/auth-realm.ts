/**
 * The router `realms:` section (PRODUCT.md format) the client auth tests join, and the keys.
 * PORCH_SEED/PORCH_PUBKEY are the first test vector of advanced/authentication_cryptosign.md.
 */
export const PORCH_SEED = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
export const PORCH_PUBKEY = '1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d';
export const STRANGER_SEED = '9f0c2a5b7e1d4c3a8b6f5e4d3c2b1a09182736455463728190a0b0c0d0e0f101';

export const AUTH_REALMS = [
  {
    name: 'home',
    users: [
      { authid: 'alice', method: 'ticket', ticket: 'secret123', role: 'user' },
      { authid: 'bob', method: 'wampcra', secret: 'prq7+YkJ1/KlW1X0YczMHw==', role: 'user' },
      { authid: 'carol', method: 'wampcra', secret: 'carol-password', salt: 'carol-salt', iterations: 500, keylen: 16, role: 'user' },
      { authid: 'porch', method: 'cryptosign', pubkey: PORCH_PUBKEY, role: 'device' },
    ],
    roles: {
      user: [{ uri: '', match: 'prefix', allow: ['call', 'register', 'publish', 'subscribe'] }],
      device: [{ uri: 'devices.porch.', match: 'prefix', allow: ['register', 'publish', 'subscribe', 'call'] }],
    },
  },
];
