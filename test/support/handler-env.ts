// The environment a handler module reads at import, as the CDK stack sets it.
// Import this before importing a handler.
process.env['TABLE_NAME'] = 'huitou-test';
process.env['INGEST_QUEUE_URL'] = 'https://sqs.us-east-1.amazonaws.com/123456789012/huitou-ingest';
process.env['AWS_REGION'] = 'us-east-1';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
