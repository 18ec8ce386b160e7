import type { CfnElement} from 'aws-cdk-lib';
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import type { CfnDeliveryStream} from 'aws-cdk-lib/aws-kinesisfirehose';
import { Compression, DeliveryStream, S3Bucket, StreamEncryption } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where archived events land: Athena partitions by tenant and date. */
export const ARCHIVE_PREFIX = 'events/tenant=!{partitionKeyFromQuery:tenant}/date=!{timestamp:yyyy-MM-dd}/';

export type ArchiveStreamProps = {
  readonly bucket: IBucket;
  /** How long Firehose gathers events before writing one object per partition. @default 5 minutes */
  readonly bufferInterval?: Duration;
};

/**
 * The archive observer in AWS: a Firehose stream the archive rule targets. It batches events into
 * gzipped JSON Lines objects under `events/tenant=<t>/date=<yyyy-MM-dd>/` (dynamic partitioning on
 * the event's tenant), so S3 sees a few PUTs per partition every few minutes, never one per event,
 * and Athena reads the partitions directly.
 */
export class ArchiveStream extends Construct {
  public readonly stream: DeliveryStream;

  constructor(scope: Construct, id: string, props: ArchiveStreamProps) {
    super(scope, id);
    this.stream = new DeliveryStream(this, 'Stream', {
      encryption: StreamEncryption.awsOwnedKey(),
      destination: new S3Bucket(props.bucket, {
        // Replaced below by the partitioned prefix, which the L2 refuses without dynamic partitioning.
        dataOutputPrefix: 'events/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/date=!{timestamp:yyyy-MM-dd}/',
        bufferingInterval: props.bufferInterval ?? Duration.minutes(5),
        // Dynamic partitioning needs a buffer of at least 64 MiB.
        bufferingSize: Size.mebibytes(64),
        compression: Compression.GZIP,
      }),
    });
    // The L2 has no dynamic partitioning yet: the partition key comes from the record with a JQ query,
    // and each record gets a newline so objects are JSON Lines.
    const cfn = this.stream.node.defaultChild as CfnDeliveryStream;
    cfn.addPropertyOverride('ExtendedS3DestinationConfiguration.DynamicPartitioningConfiguration', { Enabled: true });
    cfn.addPropertyOverride('ExtendedS3DestinationConfiguration.Prefix', ARCHIVE_PREFIX);
    cfn.addPropertyOverride('ExtendedS3DestinationConfiguration.ProcessingConfiguration', {
      Enabled: true,
      Processors: [
        {
          Type: 'MetadataExtraction',
          Parameters: [
            { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{tenant: .tenant}' },
            { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
          ],
        },
        { Type: 'AppendDelimiterToRecord', Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }] },
      ],
    });
    // CDK's grant to Firehose: object-level actions on the archive bucket's keys, which Firehose names at run time.
    const bucketId = Stack.of(this).getLogicalId(props.bucket.node.defaultChild as CfnElement);
    for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', `Resource::<${bucketId}.Arn>/*`]) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: 'Firehose delivery to the archive bucket only: CDK grants it object actions on bucket/*, since Firehose names the partitioned keys at run time.',
      });
    }
    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason: 'The Firehose L2 adds a mapping of its CIDR blocks, used only for destinations inside a VPC; this stream writes to S3.',
    });
  }
}
