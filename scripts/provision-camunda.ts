/*
 * `npm run camunda:provision`: makes a Camunda 8.8 cluster with authorizations on ready for Doudi (issue 20) — the
 * region-qualified groups of a county, the demo users in their groups, the service's own user `doudi-service` with only
 * what the service calls, and the authorizations (src/workflow/camunda-provisioning.ts). Idempotent: what exists is
 * left as it is, so it may run at every start of the stack.
 *
 *   ZEEBE_REST_ADDRESS=http://localhost:8088 CAMUNDA_BASIC_AUTH_USERNAME=admin CAMUNDA_BASIC_AUTH_PASSWORD=… \
 *   DOUDI_CAMUNDA_PASSWORD=… [DEMO_USER_PASSWORD=…] [PROVISION_COUNTY=410821] npm run camunda:provision
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSubject, DEMO_USERS } from '../src/demo/demo.seeder';
import { upperLevels, villagesOf } from '../src/regions/dataset';
import { groupFor } from '../src/tasks/candidate-groups';
import { camundaClient } from '../src/workflow/camunda-client';
import { proceduresOfModels, provisioningPlan, SERVICE_USER } from '../src/workflow/camunda-provisioning';

const NOW = { consistency: { waitUpToMs: 0 } };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** Runs a creating call; "already exists" (409) is success: the script may run again. */
async function ensure(what: string, call: () => PromiseLike<unknown>): Promise<'created' | 'existed'> {
  try {
    await call();
    return 'created';
  } catch (error) {
    if ((error as { status?: unknown }).status === 409) return 'existed';
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const county = process.env.PROVISION_COUNTY ?? '410821';
  const client = camundaClient({
    ZEEBE_REST_ADDRESS: required('ZEEBE_REST_ADDRESS'),
    CAMUNDA_AUTH_STRATEGY: 'BASIC',
    CAMUNDA_BASIC_AUTH_USERNAME: required('CAMUNDA_BASIC_AUTH_USERNAME'),
    CAMUNDA_BASIC_AUTH_PASSWORD: required('CAMUNDA_BASIC_AUTH_PASSWORD'),
  });
  const servicePassword = required('DOUDI_CAMUNDA_PASSWORD');
  const demoPassword = process.env.DEMO_USER_PASSWORD;
  const divisions = [...upperLevels().filter((d) => d.code === county || (d.level === 'township' && d.parentCode === county)), ...villagesOf([county])];
  if (!divisions.some((d) => d.code === county)) throw new Error(`PROVISION_COUNTY=${county} is no county of the dataset`);
  const models = readdirSync('bpmn').filter((f) => f.endsWith('.bpmn')).map((f) => ({ xml: readFileSync(join('bpmn', f), 'utf8') }));
  const people = demoPassword ? DEMO_USERS.filter((u) => u.region.startsWith(county)).map((u) => ({ username: demoSubject(u), role: u.role, region: u.region, name: u.who })) : [];
  const plan = provisioningPlan({ divisions, people, groupOf: groupFor, procedures: proceduresOfModels(models) });

  const counts = { created: 0, existed: 0 };
  const count = (outcome: 'created' | 'existed') => (counts[outcome] += 1);
  for (const group of plan.groups) count(await ensure(`group ${group.groupId}`, () => client.createGroup(group as never)));
  for (const user of plan.users) {
    const password = user.username === SERVICE_USER ? servicePassword : demoPassword!;
    count(await ensure(`user ${user.username}`, () => client.createUser({ ...user, password, email: `${user.username}@example.invalid` } as never, NOW)));
  }
  for (const m of plan.memberships) count(await ensure(`membership ${m.username} → ${m.groupId}`, () => client.assignUserToGroup(m as never)));
  for (const a of plan.authorizations) {
    const { items } = await client.searchAuthorizations({ filter: { ownerId: a.ownerId, ownerType: a.ownerType, resourceType: a.resourceType, resourceIds: [a.resourceId] } } as never, NOW);
    const held = new Set((items as { permissionTypes?: string[] }[]).flatMap((item) => item.permissionTypes ?? []));
    if (a.permissionTypes.every((p) => held.has(p))) count('existed');
    else count(await ensure(`authorization ${a.ownerId} ${a.resourceType}/${a.resourceId}`, () => client.createAuthorization(a as never)));
  }
  console.log(`county ${county}: ${plan.groups.length} groups, ${plan.users.length} users, ${plan.authorizations.length} authorizations — ${counts.created} created, ${counts.existed} already there`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
