import { useCallback, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import type { Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { Field } from '../components/Field';
import { RegionPicker } from '../components/RegionPicker';
import { yuanToFen } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';

const DIBAO_CHANNELS = ['self', 'family', 'entrusted', 'village-committee'] as const;
const AID_CHANNELS = [...DIBAO_CHANNELS, 'hotline', 'referral'] as const;
const RELATIONS = ['applicant', 'spouse', 'child', 'parent', 'sibling', 'grandparent', 'grandchild', 'other'] as const;
const INCOME_CATEGORIES = ['wages', 'business', 'property', 'transfer', 'support', 'basicPension', 'other'] as const;

interface Member {
  name: string;
  idNumber: string;
  age: string;
  relation: string;
  seriousIllness: boolean;
  inSchool: boolean;
  employed: boolean;
}
interface Income {
  member: number;
  category: string;
  yuan: string;
}

const newMember = (relation = 'applicant'): Member => ({ name: '', idNumber: '', age: '', relation, seriousIllness: false, inSchool: false, employed: false });

/**
 * A village committee or township caseworker starts a dibao application or a temporary-aid request. Amounts are typed
 * in yuan and sent in fen; one Idempotency-Key per submission, kept until it succeeds, so a retry never applies twice.
 */
export function Intake({ session }: { session: Session }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'dibao' | 'aid'>('dibao');
  const [township, setTownship] = useState('');
  const [village, setVillage] = useState('');
  const [channel, setChannel] = useState(session.roles.includes('village-committee') ? 'village-committee' : 'self');
  const [requestType, setRequestType] = useState('household');
  const [area, setArea] = useState('rural');
  const [members, setMembers] = useState<Member[]>([newMember()]);
  const [incomes, setIncomes] = useState<Income[]>([]);
  const [assets, setAssets] = useState('0');
  const [aid, setAid] = useState({ applicantName: '', applicantIdNumber: '', householdSize: '1', description: '' });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<ApiError | undefined>();
  const [created, setCreated] = useState<{ number: string; caseId?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef<string | null>(null);

  const onTownship = useCallback((code: string) => {
    setTownship(code);
    setVillage('');
  }, []);
  const setMember = (i: number, change: Partial<Member>) => setMembers((ms) => ms.map((m, j) => (j === i ? { ...m, ...change } : m)));
  const setIncome = (i: number, change: Partial<Income>) => setIncomes((xs) => xs.map((x, j) => (j === i ? { ...x, ...change } : x)));

  /** The body in the API's shape, or the fields the browser can already tell are wrong (amounts). */
  const body = (): { body?: Record<string, unknown>; problems: Record<string, string[]> } => {
    const problems: Record<string, string[]> = {};
    const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
    if (kind === 'aid') {
      return { body: { regionCode: village, channel, area, applicantName: aid.applicantName, applicantIdNumber: aid.applicantIdNumber.trim().toUpperCase(), householdSize: num(aid.householdSize), description: aid.description }, problems };
    }
    const fen = (path: string, yuan: string) => {
      const value = yuanToFen(yuan);
      if (value === null) problems[path] = [t('intake.badAmount')];
      return value ?? 0;
    };
    const result = {
      regionCode: village,
      channel,
      requestType,
      area,
      members: members.map((m, i) => ({ id: `m${i + 1}`, name: m.name, idNumber: m.idNumber.trim().toUpperCase(), age: num(m.age), relation: m.relation, seriousIllness: m.seriousIllness, inSchool: m.inSchool, employed: m.employed })),
      incomes: incomes.map((x, i) => ({ memberId: `m${x.member + 1}`, category: x.category, monthlyFen: fen(`incomes[${i}].monthlyFen`, x.yuan) })),
      expenditures: [],
      assets: { financialFen: fen('assets.financialFen', assets) },
    };
    return { body: result, problems };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const { body: payload, problems } = body();
    setErrors(problems);
    if (Object.keys(problems).length) return;
    idempotencyKey.current ??= crypto.randomUUID();
    setBusy(true);
    try {
      const path = kind === 'dibao' ? '/api/v1/dibao/applications' : '/api/v1/temporary-aid/requests';
      const answer = await api<{ caseId?: string; caseNumber?: string; requestId?: string; requestNumber?: string }>(path, { method: 'POST', body: payload, headers: { 'Idempotency-Key': idempotencyKey.current } });
      idempotencyKey.current = null;
      setCreated({ number: answer.caseNumber ?? answer.requestNumber ?? '', caseId: answer.caseId });
    } catch (e) {
      const err = e as ApiError;
      setErrors(err.fieldErrors ?? {});
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section className="card narrow">
        <p className="flash" data-testid="created">
          {t('intake.created', { number: created.number })}
        </p>
        {created.caseId ? <Link to={`/cases/${created.caseId}`}>{t('intake.openCase')}</Link> : null}
      </section>
    );
  }

  const channels = kind === 'dibao' ? DIBAO_CHANNELS : AID_CHANNELS;
  const placed = new Set(Object.keys(errors));
  return (
    <section>
      <h1>{t('intake.title')}</h1>
      <div className="tabs" role="tablist">
        {(['dibao', 'aid'] as const).map((k) => (
          <button key={k} type="button" role="tab" className={k === kind ? 'active' : ''} aria-selected={k === kind} onClick={() => setKind(k)} data-kind={k}>
            {t(`intake.kind.${k}` as MessageKey)}
          </button>
        ))}
      </div>
      <form onSubmit={submit} className="card" noValidate>
        <ErrorBox error={failure && failure.problem.errors?.length ? new ApiError(failure.status, { ...failure.problem, detail: t('common.fieldErrors'), errors: failure.problem.errors.filter((e) => !placed.has(e.field)) }) : failure} />
        <div className="form-grid">
          <RegionPicker session={session} township={township} village={village} onTownship={onTownship} onVillage={setVillage} errors={errors} />
          <Field label={t('intake.channel')} path="channel" errors={errors}>
            <select value={channel} onChange={(e) => setChannel(e.target.value)} name="channel">
              {channels.map((c) => (
                <option key={c} value={c}>
                  {t(`intake.channel.${c}` as MessageKey)}
                </option>
              ))}
            </select>
          </Field>
          {kind === 'dibao' ? (
            <Field label={t('intake.requestType')} path="requestType" errors={errors}>
              <select value={requestType} onChange={(e) => setRequestType(e.target.value)} name="requestType">
                {['household', 'single-person'].map((r) => (
                  <option key={r} value={r}>
                    {t(`intake.requestType.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          <Field label={t('intake.area')} path="area" errors={errors}>
            <select value={area} onChange={(e) => setArea(e.target.value)} name="area">
              {['rural', 'urban'].map((a) => (
                <option key={a} value={a}>
                  {t(`intake.area.${a}` as MessageKey)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {kind === 'dibao' ? (
          <>
            <fieldset>
              <legend>{t('intake.members')}</legend>
              {members.map((m, i) => (
                <div className="form-grid member" key={i} data-member={i}>
                  <Field label={t('intake.member.name')} path={`members[${i}].name`} errors={errors}>
                    <input value={m.name} onChange={(e) => setMember(i, { name: e.target.value })} name={`members[${i}].name`} />
                  </Field>
                  <Field label={t('intake.member.idNumber')} path={`members[${i}].idNumber`} errors={errors}>
                    <input value={m.idNumber} onChange={(e) => setMember(i, { idNumber: e.target.value })} name={`members[${i}].idNumber`} maxLength={18} />
                  </Field>
                  <Field label={t('intake.member.age')} path={`members[${i}].age`} errors={errors}>
                    <input type="number" min={0} max={130} value={m.age} onChange={(e) => setMember(i, { age: e.target.value })} name={`members[${i}].age`} />
                  </Field>
                  <Field label={t('intake.member.relation')} path={`members[${i}].relation`} errors={errors}>
                    <select value={m.relation} onChange={(e) => setMember(i, { relation: e.target.value })} name={`members[${i}].relation`}>
                      {RELATIONS.map((r) => (
                        <option key={r} value={r}>
                          {t(`task.relation.${r}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <div className="field">
                    {(['seriousIllness', 'inSchool', 'employed'] as const).map((flag) => (
                      <label key={flag}>
                        <input type="checkbox" checked={m[flag]} onChange={(e) => setMember(i, { [flag]: e.target.checked })} name={`members[${i}].${flag}`} /> {t(`intake.member.${flag}` as MessageKey)}
                      </label>
                    ))}
                  </div>
                  {members.length > 1 ? (
                    <div className="field">
                      <button type="button" onClick={() => setMembers((ms) => ms.filter((_, j) => j !== i))}>
                        {t('intake.remove')}
                      </button>
                    </div>
                  ) : null}
                </div>
              ))}
              <button type="button" onClick={() => setMembers((ms) => [...ms, newMember('child')])}>
                {t('intake.addMember')}
              </button>
            </fieldset>
            <fieldset>
              <legend>{t('intake.incomes')}</legend>
              {incomes.map((x, i) => (
                <div className="form-grid" key={i}>
                  <Field label={t('intake.income.member')} path={`incomes[${i}].memberId`} errors={errors}>
                    <select value={x.member} onChange={(e) => setIncome(i, { member: Number(e.target.value) })}>
                      {members.map((m, j) => (
                        <option key={j} value={j}>
                          {m.name || `#${j + 1}`}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('intake.income.category')} path={`incomes[${i}].category`} errors={errors}>
                    <select value={x.category} onChange={(e) => setIncome(i, { category: e.target.value })}>
                      {INCOME_CATEGORIES.map((c) => (
                        <option key={c} value={c}>
                          {t(`task.income.${c}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('intake.income.amount')} path={`incomes[${i}].monthlyFen`} errors={errors}>
                    <input inputMode="decimal" value={x.yuan} onChange={(e) => setIncome(i, { yuan: e.target.value })} name={`incomes[${i}].monthlyYuan`} />
                  </Field>
                  <div className="field">
                    <button type="button" onClick={() => setIncomes((xs) => xs.filter((_, j) => j !== i))}>
                      {t('intake.remove')}
                    </button>
                  </div>
                </div>
              ))}
              <button type="button" onClick={() => setIncomes((xs) => [...xs, { member: 0, category: 'wages', yuan: '' }])}>
                {t('intake.addIncome')}
              </button>
            </fieldset>
            <div className="form-grid">
              <Field label={t('intake.financialAssets')} path="assets.financialFen" errors={errors}>
                <input inputMode="decimal" value={assets} onChange={(e) => setAssets(e.target.value)} name="assets.financialYuan" />
              </Field>
            </div>
          </>
        ) : (
          <div className="form-grid">
            <Field label={t('intake.applicantName')} path="applicantName" errors={errors}>
              <input value={aid.applicantName} onChange={(e) => setAid({ ...aid, applicantName: e.target.value })} name="applicantName" />
            </Field>
            <Field label={t('intake.applicantIdNumber')} path="applicantIdNumber" errors={errors}>
              <input value={aid.applicantIdNumber} onChange={(e) => setAid({ ...aid, applicantIdNumber: e.target.value })} name="applicantIdNumber" maxLength={18} />
            </Field>
            <Field label={t('intake.householdSize')} path="householdSize" errors={errors}>
              <input type="number" min={1} max={30} value={aid.householdSize} onChange={(e) => setAid({ ...aid, householdSize: e.target.value })} name="householdSize" />
            </Field>
            <Field label={t('intake.description')} path="description" errors={errors} wide>
              <textarea rows={3} value={aid.description} onChange={(e) => setAid({ ...aid, description: e.target.value })} name="description" />
            </Field>
          </div>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="intake-submit">
          {t('intake.submit')}
        </button>
      </form>
    </section>
  );
}
