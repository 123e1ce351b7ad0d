import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { useI18n } from '../i18n';
import { formjsTranslate } from '../i18n/formjs';

export interface FormViewHandle {
  /** form-js's own checks (required, pattern, min/max) and the values; null when a field is wrong (shown on it). */
  submit(): Record<string, unknown> | null;
  /** Shows the API's field problems (`variables.<key>` or `<key>`) on their fields; returns those it could not place. */
  showErrors(errors: { field: string; message: string }[]): { field: string; message: string }[];
}

interface Props {
  schema: Record<string, unknown>;
  data: Record<string, unknown>;
  disabled?: boolean;
  onChange?(data: Record<string, unknown>): void;
}

type Registry = { getAll(): { id: string; key?: string; path?: string }[] };

/** A task's Camunda form rendered by form-js (viewer), from the same .form the engine holds. */
export const FormView = forwardRef<FormViewHandle, Props>(function FormView({ schema, data, disabled, onChange }, ref) {
  const { locale } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const form = useRef<Form | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const f = new Form({ container: container.current!, additionalModules: [{ translate: ['value', formjsTranslate(locale)] }] });
    form.current = f;
    let edited = false;
    void f.importSchema(schema, data).then(() => {
      // Only what the user typed makes a draft: not the import, nor enabling the form once claimed.
      f.on('field.updated', () => {
        edited = true;
      });
      f.on('changed', () => {
        if (edited) changed.current?.((f as unknown as { _getSubmitData(): Record<string, unknown> })._getSubmitData());
      });
    });
    return () => {
      f.destroy();
      form.current = null;
    };
    // The form is built once per schema; `data` is its initial value only.
    // The language is the one at load: a switch must not drop what was typed (it applies on the next load).
  }, [schema]);

  useEffect(() => {
    form.current?.setProperty('disabled', !!disabled);
  }, [disabled]);

  useImperativeHandle(ref, () => ({
    submit() {
      const f = form.current;
      if (!f) return null;
      const { data: values, errors } = f.submit();
      return Object.keys(errors).length ? null : (values as Record<string, unknown>);
    },
    showErrors(problems) {
      const f = form.current;
      if (!f) return problems;
      const fields = (f.get('formFieldRegistry') as Registry).getAll();
      const errors: Record<string, string[]> = {};
      const unplaced: { field: string; message: string }[] = [];
      for (const problem of problems) {
        const name = problem.field.replace(/^variables\./, '');
        const top = name.split(/[.[]/)[0];
        const field = fields.find((c) => c.key === name) ?? fields.find((c) => c.key === top || c.path === top);
        if (field) (errors[field.id] ??= []).push(problem.message);
        else unplaced.push(problem);
      }
      (f as unknown as { _setState(s: unknown): void })._setState({ errors });
      return unplaced;
    },
  }));

  return <div ref={container} className="task-form" />;
});
