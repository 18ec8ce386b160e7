import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR } from '#local/dashboard-files.ts';

export type DashboardSiteProps = {
  /** Where the app may connect besides its own origin (CSP connect-src): the API's origin, see apiOriginOf. */
  readonly apiOrigin: string;
  /** The built app (`npm run build` writes it). @default dist/dashboard of this package */
  readonly assetDir?: string;
  /** @default RemovalPolicy.DESTROY: the bucket holds only built files, deployed again by every deploy */
  readonly removalPolicy?: RemovalPolicy;
};

/**
 * The dashboard on AWS: a private S3 bucket (no public access, encrypted, TLS only) read by
 * CloudFront through origin access control, HTTPS only, with security headers (CSP allowing the
 * API's origin only, HSTS, no framing, no referrer). `deploy(apiUrl)` uploads the app with a
 * `config.json` naming the API, written at deploy time since the URL is only known then.
 */
export class DashboardSite extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;
  /** `https://<distribution domain>`: what the API's CORS origins must include. */
  public readonly origin: string;
  /** The app's address, for share links (`url` of `POST /v1/runs/{runId}/share`). */
  public readonly url: string;
  readonly #assetDir: string;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    this.#assetDir = props.assetDir ?? DASHBOARD_DIR;
    if (!existsSync(join(this.#assetDir, 'index.html'))) {
      throw new Error(`DashboardSite: no built dashboard in ${this.#assetDir}; run \`npm run build\` (npm ci runs it) before synth, or leave the dashboard option off`);
    }
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      autoDeleteObjects: (props.removalPolicy ?? RemovalPolicy.DESTROY) === RemovalPolicy.DESTROY,
    });
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'runledger dashboard: CSP (API origin only), HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; connect-src 'self' ${props.apiOrigin}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'`,
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'runledger dashboard',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
    this.#acknowledgeFindings();
  }

  /** Uploads the built app and `config.json` (`{"apiUrl"}`), and clears CloudFront's cache of them. */
  deploy(apiUrl: string): BucketDeployment {
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [Source.asset(this.#assetDir), Source.jsonData('config.json', { apiUrl })],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      prune: true,
      memoryLimit: 256,
    });
    // CDK makes the upload function once per stack, at the stack's root: acknowledged there.
    for (const uploader of Stack.of(this).node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      const acknowledge = (id: string, reason: string) => Validations.of(uploader).acknowledge({ id, reason });
      acknowledge('AwsSolutions-L1', "BucketDeployment's upload function: CDK picks its runtime, and it runs only at deploy time.");
      acknowledge(
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "BucketDeployment's upload function logs with the managed basic execution role, as CDK builds it; it runs only at deploy time.",
      );
      const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
      const findings = [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::<${bucketId}.Arn>/*`,
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        // CloudFront invalidations take no resource narrower than *.
        'Resource::*',
      ];
      for (const finding of findings) {
        acknowledge(`AwsSolutions-IAM5[${finding}]`, "BucketDeployment's upload function: CDK's grants to read the CDK asset bucket, write this dashboard bucket's objects and invalidate the distribution; it runs only at deploy time.");
      }
    }
    return deployment;
  }

  #acknowledgeFindings(): void {
    const acknowledge = (id: string, reason: string) => Validations.of(this).acknowledge({ id, reason });
    acknowledge('AwsSolutions-S1', 'The bucket holds only the built app, public through CloudFront by design; CloudFront is where requests would be logged.');
    acknowledge('AwsSolutions-CFR1', 'The dashboard is for operators anywhere; access is by API key or share token, not by country.');
    acknowledge('AwsSolutions-CFR2', 'Static files only: every data request goes to the API, which has its own throttling and optional WAF (webAclArn).');
    acknowledge('AwsSolutions-CFR3', 'Static files only, the same for everyone; the API logs every data request (access logs).');
    acknowledge('AwsSolutions-CFR4', 'The default *.cloudfront.net certificate: CloudFront then allows TLS 1.0 clients, which only a custom domain and certificate can change.');
    acknowledge('AwsSolutions-CFR7', 'Origin access control (S3BucketOrigin.withOriginAccessControl) is used; this finding is for the older origin access identity.');
  }
}

/**
 * Where the dashboard may connect (CSP connect-src): the custom domain when there is one, else
 * execute-api in the stack's region. A wildcard host rather than the API's own id, because the
 * API's CORS origins name the distribution: naming the API here too would make each wait for the other.
 */
export function apiOriginOf(domainName: string | undefined): string {
  return domainName === undefined ? `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}` : `https://${domainName}`;
}
