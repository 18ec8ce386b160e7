import { MemoryAlertClaims } from '#adapters/memory/memory-alert-claims.ts';
import { describeAlertClaimsContract } from '#test/contract/alert-claims.contract.ts';

describeAlertClaimsContract('memory', () => Promise.resolve(new MemoryAlertClaims()));
