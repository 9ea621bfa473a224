// Rule metadata of the AST stage, so reports can name and explain its findings.
import type { GenericRuleInfo } from '../generic.js';

const rotate = 'Rotate it, then read it from the environment or a secret store at run time.';

export const AST_RULES: Record<string, GenericRuleInfo> = {
  'ast.hardcoded-password': { id: 'ast.hardcoded-password', name: 'Hard-coded password (flows into a credential)', severity: 'high', remediation: `Change the password. ${rotate}` },
  'ast.hardcoded-secret': { id: 'ast.hardcoded-secret', name: 'Hard-coded secret or token (flows into a credential)', severity: 'high', remediation: `Revoke the secret. ${rotate}` },
  'ast.aws-credentials': { id: 'ast.aws-credentials', name: 'Hard-coded AWS credentials passed to the AWS SDK', severity: 'critical', remediation: 'Deactivate the access key in IAM and use the default credential provider chain (roles, SSO, environment).' },
  'ast.db-password': { id: 'ast.db-password', name: 'Hard-coded database password passed to a database client', severity: 'high', remediation: `Change the database user's password. ${rotate}` },
  'ast.jwt-secret': { id: 'ast.jwt-secret', name: 'Hard-coded JWT signing secret', severity: 'high', remediation: 'Replace the signing secret (this invalidates issued tokens) and load it from a secret store.' },
  'ast.crypto-key': { id: 'ast.crypto-key', name: 'Hard-coded cryptographic key or password', severity: 'high', remediation: 'Generate a new key, re-encrypt or re-sign what used the old one, and load the key from a secret store.' },
  'ast.session-secret': { id: 'ast.session-secret', name: 'Hard-coded session or cookie signing secret', severity: 'high', remediation: `Replace the secret (this ends existing sessions). ${rotate}` },
  'ast.oauth-client-secret': { id: 'ast.oauth-client-secret', name: 'Hard-coded OAuth client secret', severity: 'high', remediation: `Reset the client secret at the identity provider. ${rotate}` },
  'ast.smtp-password': { id: 'ast.smtp-password', name: 'Hard-coded SMTP password', severity: 'high', remediation: `Change the mail account password. ${rotate}` },
  'ast.http-credentials': { id: 'ast.http-credentials', name: 'Hard-coded HTTP Authorization credentials', severity: 'high', remediation: `Revoke the token or change the password. ${rotate}` },
  'ast.api-key': { id: 'ast.api-key', name: 'Hard-coded API key passed to an SDK', severity: 'high', remediation: `Revoke the key at its provider. ${rotate}` },
};
