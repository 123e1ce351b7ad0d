import { CreateApplicationDto } from '../dibao/dibao.dto';
import { CompleteTaskDto } from '../tasks/tasks.dto';
import { Clock } from './clock';
import { idNumberCheckChar } from './id-number';
import { InvalidRequestException } from './problem';
import { RequestValidationPipe } from './request-validation';

const FIXED = new (class extends Clock {
  now(): Date {
    return new Date('2026-09-14T01:00:00Z');
  }
})();
const pipe = new RequestValidationPipe(FIXED);
const valid = (first17: string) => `${first17}${idNumberCheckChar(first17)}`;

async function problemsOf(metatype: unknown, body: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype: metatype as never, data: '' });
  } catch (error) {
    if (error instanceof InvalidRequestException) return error.fieldProblems;
    throw error;
  }
  return [];
}

/** Issue 21: an integrator must see every problem of a body in one 400, not the next layer after fixing the first. */
describe('request validation: one 400 for every layer', () => {
  const application = {
    regionCode: '410821100201',
    channel: 'self',
    requestType: 'household',
    area: 'rural',
    members: [{ id: 'm1', name: '张三', idNumber: valid('41082119900307123'), age: 36, relation: 'applicant', seriousIllness: true, inSchool: false, employed: false }],
    incomes: [],
    expenditures: [{ memberId: 'm1', category: 'illness', monthlyFen: 30000 }],
    assets: { financialFen: 0 },
  };

  it('reports a wrong ID check digit and an unknown memberId together', async () => {
    const wrongCheck = `${application.members[0]!.idNumber.slice(0, 17)}${application.members[0]!.idNumber.endsWith('1') ? '2' : '1'}`;
    const body = { ...application, members: [{ ...application.members[0], idNumber: wrongCheck }], expenditures: [{ memberId: 'm2', category: 'illness', monthlyFen: 30000 }] };
    const fields = (await problemsOf(CreateApplicationDto, body)).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['members[0].idNumber', 'expenditures[0].memberId']));
  });

  it('still reports the cross-field rules when a list has the wrong type (no crash, no silence)', async () => {
    const problems = await problemsOf(CreateApplicationDto, { ...application, members: 'x', incomes: [{ memberId: 'ghost', category: 'wages', monthlyFen: 1 }] });
    expect(problems.map((p) => p.field)).toEqual(expect.arrayContaining(['members', 'incomes[0].memberId']));
  });

  it('lets a valid body through', async () => {
    expect(await problemsOf(CreateApplicationDto, application)).toEqual([]);
  });

  it('says that a task form\'s values go under "variables"', async () => {
    expect(await problemsOf(CompleteTaskDto, { x: 1 })).toEqual([{ field: 'x', message: 'unknown field "x": 表单的值应放在 "variables" 之下 / put the form\'s values under "variables"' }]);
    expect(await problemsOf(CompleteTaskDto, { variables: { x: 1 } })).toEqual([]);
  });
});
