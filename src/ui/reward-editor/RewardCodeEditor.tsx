// The custom reward editor (docs/DESIGN.md §6): a CodeMirror editor for the JavaScript reward function,
// starting from the template; "Test on a sample" runs it in the QuickJS sandbox on one completion
// of the task and shows the number; an error (from the test, or from training) is marked at the line
// it came from. Without props it edits the store's config.userRewardCode.

import { javascript } from '@codemirror/lang-javascript';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import type { EditorView } from '@codemirror/view';
import CodeMirror from '@uiw/react-codemirror';
import { useEffect, useMemo, useRef, useState } from 'react';
import { RewardCodeError, USER_REWARD_TEMPLATE, UserRewardSandbox } from '../../rl/rewards/sandbox';
import { useStore } from '../store';
import type { RewardCodeErrorInfo } from '../worker/protocol';
import { lineRange, rewardInputFor, sampleProblem } from './sample';
import './rewardEditor.css';

export interface RewardCodeEditorProps {
  value?: string;
  onChange?: (code: string) => void;
}

/** An error to mark: its message, 1-based line (null when unknown), and the completion it failed on. */
interface CodeError {
  message: string;
  line: number | null;
  completion?: string;
}

/** A reward-code error as the worker reports it (plain data: the class does not cross postMessage). */
function isRunError(e: unknown): e is RewardCodeErrorInfo {
  return typeof e === 'object' && e !== null && (e as { kind?: unknown }).kind === 'reward-code';
}

type TestResult = { kind: 'value'; reward: number } | { kind: 'error'; error: CodeError } | { kind: 'running' };

function toCodeError(e: unknown): CodeError {
  // The sandbox's RewardCodeError, or the worker's copy of one; a loading error has no prompt (no completion).
  if (e instanceof RewardCodeError || isRunError(e)) {
    return { message: e.message, line: e.line, completion: e.prompt ? e.completion : undefined };
  }
  return { message: e instanceof Error ? e.message : String(e), line: null };
}

/** Runs the code once on the input in a fresh sandbox. */
async function runOnce(code: string, input: Parameters<UserRewardSandbox['call']>[0]): Promise<number> {
  const sandbox = await UserRewardSandbox.create(code);
  try {
    return await sandbox.call(input);
  } finally {
    sandbox.dispose();
  }
}

export function RewardCodeEditor({ value, onChange }: RewardCodeEditorProps) {
  const storeCode = useStore((s) => s.config.userRewardCode);
  const setConfig = useStore((s) => s.setConfig);
  const task = useStore((s) => s.config.task);
  const maxNewTokens = useStore((s) => s.config.maxNewTokens);
  const runError = useStore((s) => s.status.error);
  const external = value ?? storeCode;
  const commit = onChange ?? ((code: string) => setConfig({ userRewardCode: code }));

  // The editor keeps its own text: the store refuses an invalid config (e.g. empty code with a
  // user-code term) and must not snap the editor back while the person types.
  const [text, setText] = useState(external.trim() === '' ? USER_REWARD_TEMPLATE : external);
  const lastSent = useRef(text);
  useEffect(() => {
    if (external !== lastSent.current && external.trim() !== '') {
      lastSent.current = external;
      setText(external);
    }
  }, [external]);
  useEffect(() => {
    // On mount only: an empty config starts from the template; later empty text is the person's edit.
    if (external.trim() === '') commit(text);
  }, []);

  const [sampleSeed, setSampleSeed] = useState(1);
  const sample = useMemo(() => sampleProblem(task, sampleSeed), [task, sampleSeed]);
  const [completion, setCompletion] = useState(sample.demonstration);
  useEffect(() => setCompletion(sample.demonstration), [sample]);
  const [result, setResult] = useState<TestResult | null>(null);

  const view = useRef<EditorView | null>(null);
  const [shownError, setShownError] = useState<CodeError | null>(null);

  // A reward-code error from training is shown here too, at its line.
  useEffect(() => {
    setShownError(runError?.kind === 'reward-code' ? toCodeError(runError) : null);
  }, [runError]);
  useEffect(() => {
    if (result?.kind === 'error') setShownError(result.error);
  }, [result]);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const diagnostics: Diagnostic[] = [];
    if (shownError?.line != null) {
      const { from, to } = lineRange(v.state.doc.toString(), shownError.line);
      diagnostics.push({ from, to, severity: 'error', message: shownError.message, source: 'reward sandbox' });
    }
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [shownError]);

  const test = async () => {
    setResult({ kind: 'running' });
    try {
      const reward = await runOnce(text, rewardInputFor(task, sample.problem, completion, maxNewTokens));
      setResult({ kind: 'value', reward });
      setShownError(null);
    } catch (e) {
      setResult({ kind: 'error', error: toCodeError(e) });
    }
  };

  const errorLine = shownError?.line != null ? lineRange(text, shownError.line).line : null;
  return (
    <div className="reward-editor">
      <CodeMirror
        value={text}
        height="14rem"
        aria-label="Reward function code"
        basicSetup={{ foldGutter: false }}
        extensions={[javascript(), lintGutter()]}
        onCreateEditor={(v) => {
          view.current = v;
        }}
        onChange={(code) => {
          setText(code);
          lastSent.current = code;
          commit(code);
          if (shownError) setShownError(null);
        }}
      />
      {shownError && (
        <p className="reward-editor-error" role="alert">
          {errorLine !== null ? `Line ${errorLine}: ` : ''}
          {shownError.message}
          {shownError.completion !== undefined && (
            <>
              {' '}
              (on completion <code>{JSON.stringify(shownError.completion)}</code>)
            </>
          )}
        </p>
      )}
      <div className="reward-editor-sample">
        <span>
          Sample prompt <code>{sample.problem.prompt}</code>
        </span>
        <label>
          completion{' '}
          <input
            aria-label="Sample completion"
            value={completion}
            onChange={(e) => setCompletion(e.target.value)}
            spellCheck={false}
          />
        </label>
        <button type="button" onClick={() => setSampleSeed((n) => n + 1)}>
          New sample
        </button>
        <button type="button" onClick={() => void test()} disabled={result?.kind === 'running'}>
          Test on a sample
        </button>
        <span className="reward-editor-result" aria-live="polite">
          {result?.kind === 'value' && `reward = ${result.reward}`}
          {result?.kind === 'running' && 'running…'}
          {result?.kind === 'error' && 'error (see above)'}
        </span>
      </div>
    </div>
  );
}
