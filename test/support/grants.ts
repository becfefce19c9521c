// The grants of test/peers/pulsar/grants.ts on the run's broker.
import * as grants from '../peers/pulsar/grants.ts';
import { brokerInfo } from './broker.ts';

export { type GateTopics, SERVICE_ROLE } from '../peers/pulsar/grants.ts';

export const grantRepository = (
  role: string,
  topics: grants.GateTopics,
  only?: 'produce' | 'consume',
  broker = brokerInfo(),
): Promise<void> => grants.grantRepository(broker, role, topics, only);

export const grantService = (
  topics: grants.GateTopics,
  role = grants.SERVICE_ROLE,
  broker = brokerInfo(),
): Promise<void> => grants.grantService(broker, topics, role);

export const roleToken = (role: string): Promise<string> => grants.roleToken(role, brokerInfo());
