import common from './common';
import signin from './signin';
import tasks from './tasks';
import task from './task';
import intake from './intake';
import cases from './cases';
import deadlines from './deadlines';
import dashboard from './dashboard';
import county from './county';

/** One catalogue per feature, each `{ zh, en }` with the same keys (i18n.spec.ts checks). */
export const catalogues = { common, signin, tasks, task, intake, cases, deadlines, dashboard, county };
