// A certified OpenID provider (panva/oidc-provider) for the Abdi tests, on 127.0.0.1:$PORT.
// Logs in whoever the authorization request names in login_hint and grants consent, so a test
// completes Authorization Code + PKCE without a browser. The login_hint is the subject (`sub`);
// one of 18 digits, or 18 digits then `~` and anything (another account claiming that NIP),
// gives those digits as the `nip` claim; any other hint has no `nip` claim.
//
// Environment: PORT (required), WEB_REDIRECT (a web client `abdi-web` returning there), KEY_ID (the signing key's kid; a restart with another KEY_ID is
// a key rotation), ID_TOKEN_TTL (seconds, default 3600).
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirect = 'id.go.abdi.app:/oauth2redirect';
const postLogout = 'https://abdi.test/logout';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: process.env.KEY_ID || 'key-a', use: 'sig', alg: 'RS256' };

const client = (id, extra = {}) => ({
  client_id: id,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: [redirect],
  post_logout_redirect_uris: [postLogout],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  ...extra,
});

const provider = new Provider(issuer, {
  clients: [
    client('abdi-app'),
    client('abdi-server', { client_secret: 'abdi-server-secret', token_endpoint_auth_method: 'client_secret_basic' }),
    client('other-app'),
    // A browser's login in the same tab, back to Abdi's own page (WEB_REDIRECT, when given).
    ...(process.env.WEB_REDIRECT
      ? [client('abdi-web', { application_type: 'web', redirect_uris: [process.env.WEB_REDIRECT] })]
      : []),
  ],
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'nip'],
  claims: { openid: ['sub'], profile: ['name'], nip: ['nip'] },
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    async claims() {
      const claims = { sub: id, name: `Pegawai ${id}` };
      const nip = /^(\d{18})(~.*)?$/.exec(id);
      if (nip) claims.nip = nip[1];
      return claims;
    },
  }),
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: Number(process.env.ID_TOKEN_TTL || 3600), AuthorizationCode: 120 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  jwks: { keys: [jwk] },
  cookies: { keys: ['abdi-test-cookie-key'] },
});

const callback = provider.callback();

http
  .createServer(async (req, res) => {
    if (!req.url.startsWith('/interaction/')) {
      callback(req, res);
      return;
    }
    try {
      const { prompt, params, session } = await provider.interactionDetails(req, res);
      if (prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: String(params.login_hint || 'anonymous') } }, { mergeWithLastSubmission: false });
      } else {
        const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
        grant.addOIDCScope(String(params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  })
  .listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
