// The one construct that holds huitou's Lambda defaults (STYLE.md): Node.js 22
// on arm64, JSON logs into an explicit log group with retention, a role of its
// own with nothing attached but log writes, and esbuild bundling on the local
// machine (never Docker).
import type { Duration } from 'aws-cdk-lib';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable, IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionBundling } from './resources';

export interface LambdaFunctionProps {
  /** Absolute path to the handler file; the export is `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** The whole environment: lib/resources.ts functionEnvironment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Directory holding package-lock.json and tsconfig.json. @default the lock file found walking up from the entry */
  readonly projectRoot?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

export class LambdaFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs may be evidence after an incident; they outlive the stack and
      // expire by retention.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A role of our own, so no AWSLambdaBasicExecutionRole (and its
    // logs:CreateLogGroup on every group) is attached: the function may write
    // to its own log group and nothing else until the stack grants more.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    this.grantPrincipal = this.role;

    // Id 'Default' keeps the function's logical id free of a repeated suffix.
    this.function = new NodejsFunction(this, 'Default', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      environment: { ...props.environment },
      ...(props.projectRoot === undefined
        ? {}
        : { projectRoot: props.projectRoot, depsLockFilePath: `${props.projectRoot}/package-lock.json` }),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: functionBundling.target,
        minify: functionBundling.minify,
        keepNames: functionBundling.keepNames,
        sourceMap: functionBundling.sourceMap,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // Bundling the SDK would put the webhook bundle far over its 500 KB
        // budget (measured: 868 KB with the SDK, 501 KB without).
        bundleAwsSDK: false,
        externalModules: [...functionBundling.externalModules],
      },
    });

    // cdk-nag v3 reads acknowledgements from CDK's own Validations metadata.
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'huitou pins nodejs22.x on purpose: STYLE.md prescribes it and the bundles target node22, so a CDK ' +
        'upgrade cannot silently move the runtime under code built for it. nodejs22.x is a supported Lambda ' +
        'runtime; moving to a newer one is a deliberate, tested change.',
    });
  }
}
