/** Short-lived AWS credentials. Only the metadata ever leaves memory in an event or log. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly assumedRoleArn: string;
  readonly region: string;
}

/** The session a step asks STS for: the role, the session's name and lifetime, what scopes it down. */
export interface SessionAsk {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  /** Inline session policy (JSON text). */
  readonly policy?: string | undefined;
  readonly policyArns: readonly string[];
}

export interface AssumeRoleRequest extends SessionAsk {
  /** The step's OIDC token. */
  readonly webIdentityToken: string;
  /** The token's `sub`, shown when the role's trust policy refuses it. */
  readonly subject: string;
  readonly audience: string | readonly string[];
}

/** The port: exchanges the step's identity for scoped credentials. */
export interface CredentialBroker {
  assume(request: AssumeRoleRequest): Promise<AwsCredentials>;
}

/** The secret strings of a credential set, for redaction. */
export function secretsOf(credentials: AwsCredentials): string[] {
  return [credentials.secretAccessKey, credentials.sessionToken, credentials.accessKeyId];
}
