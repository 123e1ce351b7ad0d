import { mayDo } from './separation-of-duties';

describe('separation of duties', () => {
  const decision = { processDefinitionId: 'dibao-application', elementId: 'Task_leader_decision' };
  const proposed = { processDefinitionId: 'dibao-application', elementId: 'Task_proposal', actorId: 'wang' };
  const investigated = { processDefinitionId: 'dibao-application', elementId: 'Task_investigation', actorId: 'wang' };

  it('refuses the decision to whoever proposed or investigated the case, naming that step', () => {
    expect(mayDo(decision, 'wang', [proposed])).toEqual({ allowed: false, earlier: proposed });
    expect(mayDo({ ...decision, elementId: 'Task_joint_meeting' }, 'wang', [investigated])).toEqual({ allowed: false, earlier: investigated });
  });

  it('lets anyone else decide, and the proposer do steps that are not separated', () => {
    expect(mayDo(decision, 'li', [proposed, investigated])).toEqual({ allowed: true });
    expect(mayDo({ ...decision, elementId: 'Task_proposal' }, 'wang', [investigated])).toEqual({ allowed: true });
    expect(mayDo(decision, 'wang', [])).toEqual({ allowed: true });
  });

  it('reads steps by process: a joint meeting of temporary aid is separated from its reply, not from a dibao proposal', () => {
    const meeting = { processDefinitionId: 'temporary-aid', elementId: 'Task_joint_meeting' };
    expect(mayDo(meeting, 'wang', [proposed])).toEqual({ allowed: true });
    const replied = { processDefinitionId: 'temporary-aid', elementId: 'Task_reply', actorId: 'wang' };
    expect(mayDo({ processDefinitionId: 'temporary-aid', elementId: 'Task_township_approval' }, 'wang', [replied])).toEqual({ allowed: false, earlier: replied });
  });
});
