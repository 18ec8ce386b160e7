import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export type ShareLinkKeysProps = {
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
};

/**
 * The signing keys of share links (`POST /v1/runs/{runId}/share`): one Secrets Manager secret,
 * `{"id", "secret", "previousId"?, "previousSecret"?}`, made at deploy with a random 48-character
 * secret. The authorizer and share-run read it at cold start and again every 5 minutes, so a
 * rotation (current -> previous, a new current; docs/dashboard.md) takes hold without a deploy and
 * links signed before it keep working until they expire.
 */
export class ShareLinkKeys extends Construct {
  public readonly secret: Secret;

  constructor(scope: Construct, id: string, props: ShareLinkKeysProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'runledger share-link signing keys: {"id","secret"} and, after a rotation, {"previousId","previousSecret"}',
      generateSecretString: { secretStringTemplate: JSON.stringify({ id: 'k1' }), generateStringKey: 'secret', passwordLength: 48, excludePunctuation: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotated by hand in two steps (docs/dashboard.md) so that links signed with the previous key keep working; a rotation Lambda would have to keep the same two-key shape.',
    });
  }

  /** Lets `fn` read the keys and tells it where they are, in one call so the two cannot drift. */
  bind(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    this.secret.grantRead(fn);
    fn.addEnvironment('RUNLEDGER_SHARE_KEYS_SECRET_ARN', this.secret.secretArn);
  }
}
