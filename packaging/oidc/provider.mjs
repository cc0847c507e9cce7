// A test OpenID provider on loopback, for the tests and a local evaluation
// site (never production): the npm package oidc-provider, with one test
// user per role of mitid-assist, the desk as a native public client
// (authorization code + PKCE, loopback redirect on any port, RFC 8252),
// access tokens as JWTs for the audience "mitid-assist" carrying the
// user's name and groups, and refresh tokens.
//
//     node packaging/oidc/provider.mjs [PORT]
//
// prints "issuer http://127.0.0.1:PORT" once it listens. Any password
// signs a test user in. POST /test/disable/USER makes USER unknown from
// then on (a person who left): refreshing their session fails. Each start
// signs with a key of its own (a new key id): started again on the same
// port, the provider has rotated its keys.
//
// oidc-provider is loaded from MITID_OIDC_MODULES (a node_modules folder;
// packaging/oidc.sh installs it into ~/.cache/mitid-assist/oidc).

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.MITID_OIDC_MODULES || join(homedir(), '.cache/mitid-assist/oidc/node_modules');
const { default: Provider } = await import(pathToFileURL(join(modules, 'oidc-provider/lib/index.js')).href);

const port = Number(process.argv[2] || 0);
// Access tokens' lifetime in seconds (MITID_OIDC_ACCESS_TTL; tests of expiry
// make it short).
const accessTtl = Number(process.env.MITID_OIDC_ACCESS_TTL || 300);
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const jwks = { keys: [{ ...signing, kid: randomUUID(), use: 'sig', alg: 'RS256' }] };
const AUDIENCE = 'mitid-assist';
const RESOURCE = 'https://mitid-assist';

// One user a role, by the provider's group names; the server's
// configuration maps groups to roles.
const users = {
  agent: { name: 'Anna Agent', groups: ['mitid-phone-agents'] },
  counter: { name: 'Carl Counter', groups: ['mitid-counter-staff'] },
  supervisor: { name: 'Sofie Supervisor', groups: ['mitid-supervisors'] },
  auditor: { name: 'Aksel Auditor', groups: ['mitid-auditors'] },
  admin: { name: 'Ada Admin', groups: ['mitid-admins'] },
  trainer: { name: 'Tove Trainer', groups: ['mitid-trainers'] },
  nobody: { name: 'Nils Nobody', groups: ['canteen'] },
  // Every role: the desk service's whole contract, on a training service.
  allround: {
    name: 'Alma Allround',
    groups: ['mitid-phone-agents', 'mitid-counter-staff', 'mitid-supervisors', 'mitid-auditors', 'mitid-admins', 'mitid-trainers'],
  },
};
const disabled = new Set();

function account(id) {
  if (!users[id] || disabled.has(id)) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, name: users[id].name, groups: users[id].groups };
    },
  };
}

const configuration = {
  jwks,
  clients: [
    {
      client_id: 'mitid-assist-desk',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'groups'],
  claims: { openid: ['sub'], profile: ['name'], groups: ['groups'] },
  findAccount: (ctx, id) => account(id),
  pkce: { required: () => true },
  ttl: { AccessToken: accessTtl, IdToken: 300, RefreshToken: 8 * 3600, Session: 8 * 3600, Grant: 8 * 3600 },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile groups',
        audience: AUDIENCE,
        accessTokenFormat: 'jwt',
        accessTokenTTL: accessTtl,
      }),
    },
  },
  // The desk is the organisation's own application: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid offline_access profile groups');
    grant.addOIDCClaims(['name', 'groups']);
    grant.addResourceScope(RESOURCE, 'openid profile groups');
    await grant.save();
    return grant;
  },
  extraTokenClaims: async (ctx, token) => {
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const user = users[token.accountId];
    return user ? { name: user.name, groups: user.groups } : undefined;
  },
};

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const disable = req.method === 'POST' && req.url.match(/^\/test\/disable\/([a-z]+)$/);
    if (disable) {
      disabled.add(disable[1]);
      res.writeHead(204).end();
      return;
    }
    callback(req, res);
  });
  console.log(`issuer ${issuer}`);
});
