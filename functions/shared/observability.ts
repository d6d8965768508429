// One logger and one metrics instance per function, shared by its modules.
// Log lines carry ids and counts, never names, emails, phones or bodies.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'huitou' });

export const metrics = new Metrics({ namespace: 'huitou', serviceName: 'huitou' });
