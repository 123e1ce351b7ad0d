import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';
import { ErrorBox } from './ErrorBox';

export interface DiagramData {
  processDefinitionId: string;
  bpmnXml: string;
  activeElementIds: string[];
  completedElementIds: string[];
  takenSequenceFlowIds?: string[];
}

type Canvas = { addMarker(id: string, marker: string): void; zoom(level: string): void };
type Registry = { get(id: string): unknown };

/**
 * The procedure's model drawn by bpmn-js (the navigated viewer: pan and zoom, no editing), with the current step(s)
 * and the path taken marked. bpmn-js is loaded only on this page, so the task list does not carry it.
 */
export function Diagram({ processInstanceKey }: { processInstanceKey: string | null }) {
  const { t } = useI18n();
  const diagram = useApi<DiagramData>(processInstanceKey ? `/api/v1/process-instances/${processInstanceKey}/diagram` : null);
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<Error | undefined>();
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const data = diagram.data;
    if (!data || !container.current) return;
    let viewer: { destroy(): void } | undefined;
    let live = true;
    (async () => {
      const [{ default: NavigatedViewer }] = await Promise.all([
        import('bpmn-js/lib/NavigatedViewer'),
        import('bpmn-js/dist/assets/diagram-js.css'),
        import('bpmn-js/dist/assets/bpmn-js.css'),
        import('bpmn-js/dist/assets/bpmn-font/css/bpmn.css'),
      ]);
      if (!live) return;
      const v = new NavigatedViewer({ container: container.current! });
      viewer = v;
      await v.importXML(data.bpmnXml);
      const canvas = v.get<Canvas>('canvas');
      const registry = v.get<Registry>('elementRegistry');
      const mark = (ids: string[] | undefined, marker: string) => ids?.forEach((id) => registry.get(id) && canvas.addMarker(id, marker));
      mark(data.completedElementIds, 'done');
      mark(data.takenSequenceFlowIds, 'taken');
      mark(data.activeElementIds, 'active');
      canvas.zoom('fit-viewport');
      if (live) setReady(true);
    })().catch((e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))));
    return () => {
      live = false;
      viewer?.destroy();
    };
  }, [diagram.data]);

  if (!processInstanceKey) return <p className="muted">{t('case.none')}</p>;
  return (
    <div>
      <ErrorBox error={diagram.error ?? (error as ApiError | undefined)} onRetry={diagram.error ? diagram.reload : undefined} />
      <p className="legend muted">
        <span>
          <span className="sw active" />
          {t('case.legend.active')}
        </span>
        <span>
          <span className="sw done" />
          {t('case.legend.done')}
        </span>
      </p>
      <div ref={container} className="diagram" data-testid="diagram" data-ready={ready ? 'yes' : 'no'} data-active={diagram.data?.activeElementIds.join(' ') ?? ''} />
    </div>
  );
}
