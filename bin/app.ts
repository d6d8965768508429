// The CDK app: `npx cdk synth` / `npx cdk deploy` (see cdk.json). cdk-nag's
// AWS Solutions pack runs as a CDK validation plugin: any finding that is not
// acknowledged with a reason (Validations.of(...).acknowledge) fails synthesis.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HuitouStack } from '../lib/huitou-stack';

const app = new App();

new HuitouStack(app, 'Huitou', {
  description: 'huitou: serverless retention CRM (webhook ingest, admin API)',
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
