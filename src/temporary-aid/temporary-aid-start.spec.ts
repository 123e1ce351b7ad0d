import { temporaryAidStartVariables } from './temporary-aid.service';

describe('temporary-aid start variables', () => {
  it('carry the reply limit of the profile and the due instant for a person (Asia/Shanghai), next to the ISO instant the timer reads', () => {
    const requestedAt = new Date('2026-09-14T01:00:00Z'); // 09:00 in Shanghai
    const request = { id: 'r1', regionCode: '632301100201', townshipCode: '632301100', countyCode: '632301', requestedAt };
    // Tongren replies within 12 hours; a county without its own rule within 24 (the national profile).
    expect(temporaryAidStartVariables(request, new Date('2026-09-14T13:00:00Z'))).toMatchObject({ replyDueAt: '2026-09-14T13:00:00.000Z', replyHours: 12, replyDueText: '2026年9月14日 21:00' });
    expect(temporaryAidStartVariables(request, new Date('2026-09-15T01:00:00Z'))).toMatchObject({ replyHours: 24, replyDueText: '2026年9月15日 09:00' });
  });
});
