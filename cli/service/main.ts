#!/usr/bin/env node
import { registerApprovals } from '../admin/approvals/register.ts';
import { registerAudit } from '../admin/audit/register.ts';
import { registerKeys } from '../admin/keys/register.ts';
import { registerOnboard } from '../admin/onboard/register.ts';
import { registerPolicy } from '../admin/policy/register.ts';
import { processIo } from '../io.ts';
import { buildProgram, runProgram } from '../program.ts';
import { registerWebhooks } from '../webhooks/register.ts';
import { registerServe } from './register.ts';

/**
 * The decision service's entrypoint (bundled to dist/service/pulsar-gate-service.mjs): `serve`
 * and the operator's commands. The environment is read here, once, and handed down.
 */
const io = processIo();
const code = await runProgram(
  (exit) =>
    buildProgram(
      'pulsar-gate-service',
      'The pulsar-gate decision service and its admin commands: serve, webhooks, policy, audit, keys, onboard, approvals',
      [
        registerServe,
        registerWebhooks,
        registerPolicy,
        registerAudit,
        registerKeys,
        registerOnboard,
        registerApprovals,
      ],
      io,
      exit,
    ),
  process.argv,
);
// `serve` returns only once it has drained and closed; exit so no lingering socket holds us.
process.exit(code);
