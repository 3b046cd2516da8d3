"""The GRPO Playground reward shape in Python: task verifiers, reward components, and the weighted
sum over a group, written to give the same numbers as the TypeScript in src/rl/tasks/*.ts and
src/rl/rewards/{components,shape,sandbox}.ts. An export (`npm run cli -- export`, or the page's "Export for
TRL / verl") copies this file unchanged next to the TRL script (rewards.py) and the verl reward
(reward_fn.py); both import it.

Needs only the standard library. A page-written reward (the `user-code` component) runs its
JavaScript in the `quickjs` package, imported only when such a term exists.

Conventions shared with the TypeScript side:
- length of a completion = its number of characters (code points): the playground's tokenizer has
  one token per character, so this is the token count its trainer uses (<eos> excluded);
- truncated = length >= max_new_tokens (the trainer marks a completion truncated when it reached L
  tokens without <eos>); both can be passed explicitly where a framework knows better;
- partial credit compares UTF-16 code units, as JavaScript string indexing does.
"""

import json
import math
import re

# ---------------------------------------------------------------------------------------------
# The playground's random numbers (src/models/rng.ts): a counter-based hash, so a (seed, stream)
# gives the same draws in both languages.

_MASK = 0xFFFFFFFF


def hash32(x):
    """lowbias32, as src/models/rng.ts hash32."""
    x &= _MASK
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & _MASK
    x ^= x >> 16
    return x


def uniform_at(seed, stream, counter):
    """Uniform in [0, 1) from (seed, stream, counter), 24 bits, as src/models/rng.ts uniformAt."""
    h = hash32(hash32(hash32(seed & _MASK) ^ (stream & _MASK)) ^ (counter & _MASK))
    return (h >> 8) / 16777216


class Rng:
    """A sequential stream over uniform_at (src/models/rng.ts Rng.next)."""

    def __init__(self, seed, stream=0):
        self.seed = seed
        self.stream = stream
        self.counter = 0

    def next(self):
        u = uniform_at(self.seed, self.stream, self.counter)
        self.counter += 1
        return u


# ---------------------------------------------------------------------------------------------
# Task verifiers (src/rl/tasks/*.ts). A verdict is a dict with correct, formatOk, partial, parsedAnswer.

TASKS = ("add", "sort", "reverse", "add-scratch", "countdown", "reverse-long")
SYMBOLS = "0123456789abcdef"
_CANONICAL_NUMBER = re.compile(r"(0|[1-9][0-9]*)")
_SCRATCH_FORMAT = re.compile(r"[0-9,]*#(0|[1-9][0-9]*)")
_EXPRESSION = re.compile(r"(0|[1-9][0-9]*)([+\-*](0|[1-9][0-9]*))*")
_EXPRESSION_TOKEN = re.compile(r"[0-9]+|[+\-*]")
_NUMBER_TOKEN = re.compile(r"[0-9]+")


def _units(s):
    """The UTF-16 code units of s, so comparisons index strings as JavaScript does."""
    b = s.encode("utf-16-le", "surrogatepass")
    return [b[i : i + 2] for i in range(0, len(b), 2)]


def left_aligned_match(answer, given):
    a, g = _units(answer), _units(given)
    n = max(len(a), len(g))
    if n == 0:
        return 0
    same = sum(1 for i in range(min(len(a), len(g))) if a[i] == g[i])
    return same / n


def right_aligned_match(answer, given):
    a, g = _units(answer), _units(given)
    n = max(len(a), len(g))
    if n == 0:
        return 0
    same = sum(1 for i in range(1, min(len(a), len(g)) + 1) if a[len(a) - i] == g[len(g) - i])
    return same / n


def _verdict(correct, format_ok, partial, parsed):
    return {"correct": correct, "formatOk": format_ok, "partial": partial, "parsedAnswer": parsed}


def verify_number(answer, given):
    ok = _CANONICAL_NUMBER.fullmatch(given) is not None
    return _verdict(ok and given == answer, ok, right_aligned_match(answer, given), given if ok else None)


def verify_symbols(answer, given):
    ok = len(given) > 0 and all(c in SYMBOLS for c in given)
    return _verdict(ok and given == answer, ok, left_aligned_match(answer, given), given if ok else None)


def verify_scratch(answer, completion):
    hash_at = completion.rfind("#")
    after = completion[hash_at + 1 :] if hash_at >= 0 else ""
    ok = _SCRATCH_FORMAT.fullmatch(completion) is not None
    parsed = after if hash_at >= 0 and _CANONICAL_NUMBER.fullmatch(after) else None
    return _verdict(ok and after == answer, ok, right_aligned_match(answer, after) if hash_at >= 0 else 0, parsed)


def evaluate(expr):
    """Value of a +,-,* expression, * first, left to right, in doubles as JavaScript; None when it does not parse."""
    if _EXPRESSION.fullmatch(expr) is None:
        return None
    total, sign, product = 0.0, 1.0, 1.0
    for tok in _EXPRESSION_TOKEN.findall(expr):
        if tok == "*":
            continue
        if tok in ("+", "-"):
            total += sign * product
            sign = 1.0 if tok == "+" else -1.0
            product = 1.0
        else:
            product *= float(tok)
    return total + sign * product


def parse_countdown(prompt):
    m = re.fullmatch(r"([1-9](?:,[1-9])*):([0-9]+)=", prompt)
    if m is None:
        raise ValueError("not a countdown prompt: %s" % json.dumps(prompt))
    return [int(x) for x in m.group(1).split(",")], int(m.group(2))


def _uses_given_numbers(expr, numbers):
    left = [float(n) for n in numbers]
    for tok in _NUMBER_TOKEN.findall(expr):
        v = float(tok)
        if v not in left:
            return False
        left.remove(v)
    return True


def verify_countdown(prompt, completion):
    numbers, target = parse_countdown(prompt)
    value = evaluate(completion)
    if value is None:
        return _verdict(False, False, 0, None)
    legal = _uses_given_numbers(completion, numbers)
    partial = max(0, 1 - abs(value - target) / target) if legal else 0
    return _verdict(legal and value == target, True, partial, completion)


def verify(task, prompt, answer, completion):
    """The task's verdict on a completion (src/rl/tasks/<task>.ts verify)."""
    if task == "add":
        return verify_number(answer, completion)
    if task in ("sort", "reverse", "reverse-long"):
        return verify_symbols(answer, completion)
    if task == "add-scratch":
        return verify_scratch(answer, completion)
    if task == "countdown":
        return verify_countdown(prompt, completion)
    raise ValueError("unknown task %s; known: %s" % (json.dumps(task), ", ".join(TASKS)))


def countdown_solutions(numbers, target):
    """Every expression over 1..all of the numbers that reaches target, fewest numbers first
    (src/rl/tasks/countdown.ts solutions: the same enumeration order)."""
    out = []

    def grow(expr, done, term, left, size):
        if size == 0:
            if done + term == target:
                out.append(expr)
            return
        for i, n in enumerate(left):
            rest = left[:i] + left[i + 1 :]
            if expr == "":
                grow(str(n), 0, n, rest, size - 1)
                continue
            grow("%s+%d" % (expr, n), done + term, n, rest, size - 1)
            grow("%s-%d" % (expr, n), done + term, -n, rest, size - 1)
            grow("%s*%d" % (expr, n), done, term * n, rest, size - 1)

    for size in range(1, len(numbers) + 1):
        grow("", 0, 0, list(numbers), size)
    return out


def reference_answer(task, prompt):
    """The task's reference answer for a prompt (what the playground's problems carry as `answer`)."""
    if task in ("add", "add-scratch"):
        m = re.fullmatch(r"([0-9]+)\+([0-9]+)=", prompt)
        if m is None:
            raise ValueError("not an addition prompt: %s" % json.dumps(prompt))
        return str(int(m.group(1)) + int(m.group(2)))
    if task in ("sort", "reverse", "reverse-long"):
        if not prompt.endswith("="):
            raise ValueError("not a symbol-string prompt: %s" % json.dumps(prompt))
        s = prompt[:-1]
        return "".join(sorted(s)) if task == "sort" else s[::-1]
    if task == "countdown":
        numbers, target = parse_countdown(prompt)
        found = countdown_solutions(numbers, target)
        return found[0] if found else ""
    raise ValueError("unknown task %s; known: %s" % (json.dumps(task), ", ".join(TASKS)))


# ---------------------------------------------------------------------------------------------
# Reward components (src/rl/rewards/components.ts). Each takes x = {prompt, answer, completion,
# verdict, group: {completions, verdicts, lengths, truncated, index, maxNewTokens, step}}, the
# term's params and rand() (uniform [0, 1), drawn only by the spurious components).


def _length_of(x):
    return x["group"]["lengths"][x["group"]["index"]]


def _param(params, name, fallback):
    return params[name] if name in params else fallback


def _max_length(x, params):
    return _param(params, "L", x["group"]["maxNewTokens"])


def correctness(x, params, rand):
    return 1 if x["verdict"]["correct"] else 0


def partial(x, params, rand):
    return x["verdict"]["partial"]


def format_ok(x, params, rand):
    return 1 if x["verdict"]["formatOk"] else 0


def length_truncation(x, params, rand):
    return -1 if x["verdict"]["correct"] and _length_of(x) > _param(params, "target", 8) else 0


def length_linear(x, params, rand):
    return 0 - _length_of(x) / _max_length(x, params)


def length_overlong(x, params, rand):
    L = _max_length(x, params)
    cache = _param(params, "cache", 4)
    n = _length_of(x)
    g = x["group"]
    if g["truncated"][g["index"]] or n >= L:
        return -1
    return 0 if n <= L - cache else (L - cache - n) / cache


def length_grpo_lambda(x, params, rand):
    verdicts = x["group"]["verdicts"]
    accuracy = sum(1 for v in verdicts if v["correct"]) / len(verdicts)
    if accuracy < _param(params, "threshold", 0.5) or not x["verdict"]["correct"]:
        return 0
    return 0 - _length_of(x) / _max_length(x, params)


def length_drpo(x, params, rand):
    if not x["verdict"]["correct"]:
        return 0
    g = x["group"]
    lens = [n for n, v in zip(g["lengths"], g["verdicts"]) if v["correct"]]
    mean = 0
    for n in lens:
        mean += n
    mean /= len(lens)
    var = 0
    for n in lens:
        var += (n - mean) ** 2
    std = math.sqrt(var / len(lens))
    return (mean - _length_of(x)) / (std + 1)


def random_reward(x, params, rand):
    return 1 if rand() < _param(params, "p", 0.5) else 0


def flipped_label(x, params, rand):
    c = 1 if x["verdict"]["correct"] else 0
    return 1 - c if rand() < _param(params, "q", 0.2) else c


def proxy_contains(x, params, rand):
    return 1 if x["answer"] in x["completion"] else 0


COMPONENTS = {
    "correctness": correctness,
    "partial": partial,
    "format": format_ok,
    "length-truncation": length_truncation,
    "length-linear": length_linear,
    "length-overlong": length_overlong,
    "length-grpo-lambda": length_grpo_lambda,
    "length-drpo": length_drpo,
    "random": random_reward,
    "flipped-label": flipped_label,
    "format-only": format_ok,
    "proxy-contains": proxy_contains,
}

# Components whose value for one completion depends on the other completions of its group.
GROUP_COMPONENTS = ("length-grpo-lambda", "length-drpo")
# Components that draw random numbers.
RANDOM_COMPONENTS = ("random", "flipped-label")


# ---------------------------------------------------------------------------------------------
# A page-written reward (src/rl/rewards/sandbox.ts): the same argument object, limits and errors.


class RewardCodeError(Exception):
    """A failure of the user's reward code, with the prompt and completion it happened on."""

    def __init__(self, message, prompt="", completion=""):
        super().__init__(message)
        self.prompt = prompt
        self.completion = completion


class UserCode:
    """The user's JavaScript `reward(...)` in QuickJS, as the page runs it: 500 ms to load the code and
    50 ms per call (CPU time here; wall time in the page), a 16 MiB heap and a 64 KiB stack."""

    LOAD_TIME_LIMIT_S = 0.5
    TIME_LIMIT_S = 0.05
    MEMORY_LIMIT_BYTES = 16 * 1024 * 1024
    MAX_STACK_BYTES = 64 * 1024

    def __init__(self, code):
        try:
            import quickjs
        except ImportError as e:
            raise RewardCodeError(
                "this reward shape has a user-code term: `pip install quickjs` to run its JavaScript"
            ) from e
        self._errors = tuple(
            c for c in (getattr(quickjs, "JSException", None), getattr(quickjs, "StackOverflow", None)) if c
        )
        ctx = quickjs.Context()
        ctx.set_memory_limit(self.MEMORY_LIMIT_BYTES)
        ctx.set_max_stack_size(self.MAX_STACK_BYTES)
        ctx.set_time_limit(self.LOAD_TIME_LIMIT_S)
        try:
            ctx.eval(code)
            kind = ctx.eval("typeof reward")
        except self._errors as e:
            raise RewardCodeError("loading the code: %s" % _error_text(e, self.LOAD_TIME_LIMIT_S)) from e
        ctx.set_time_limit(self.TIME_LIMIT_S)
        if kind != "function":
            raise RewardCodeError("the code must define function reward({ prompt, completion, answer, correct, ... })")
        self._ctx = ctx
        self._fn = ctx.get("reward")

    def call(self, x):
        g = x["group"]
        arg = {
            "prompt": x["prompt"],
            "completion": x["completion"],
            "answer": x["answer"],
            "correct": x["verdict"]["correct"],
            "formatOk": x["verdict"]["formatOk"],
            "partial": x["verdict"]["partial"],
            "length": g["lengths"][g["index"]],
            "truncated": g["truncated"][g["index"]],
            "maxNewTokens": g["maxNewTokens"],
            "step": g["step"],
            "group": {"correct": [v["correct"] for v in g["verdicts"]], "lengths": list(g["lengths"])},
        }
        try:
            value = self._fn(self._ctx.parse_json(json.dumps(arg)))
        except self._errors as e:
            raise RewardCodeError(_error_text(e), x["prompt"], x["completion"]) from e
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "boolean" if isinstance(value, bool) else "undefined" if value is None else "object"
            raise RewardCodeError("reward must return a number, got %s" % kind, x["prompt"], x["completion"])
        if not math.isfinite(value):
            raise RewardCodeError("reward must return a finite number, got %s" % value, x["prompt"], x["completion"])
        return value


def _error_text(e, limit_s=None):
    """QuickJS's message, first line, worded as the page words time-outs and memory failures."""
    text = str(e).split("\n")[0]
    if "interrupted" in text:
        return "timed out after %d ms" % round((limit_s or UserCode.TIME_LIMIT_S) * 1000)
    if "out of memory" in text:
        return "out of memory (the sandbox has a memory limit)"
    return text


# ---------------------------------------------------------------------------------------------
# A reward shape over one group (src/rl/rewards/shape.ts scoreGroup).


def term_keys(terms):
    """A term's key: its component name, with "#2", "#3"... when the shape uses a component more than once."""
    seen = {}
    keys = []
    for t in terms:
        n = seen.get(t["component"], 0) + 1
        seen[t["component"]] = n
        keys.append(t["component"] if n == 1 else "%s#%d" % (t["component"], n))
    return keys


def completion_length(completion):
    return len(completion)


def score_group(
    terms,
    task,
    prompt,
    answer,
    completions,
    max_new_tokens,
    lengths=None,
    truncated=None,
    step=0,
    rand=None,
    user_code=None,
):
    """Scores G completions of one prompt: {"rewards": [G], "components": {key: [G]}, "breakdown": [G dicts]}.
    rand() is drawn term by term, completion by completion, only by components that use it."""
    if lengths is None:
        lengths = [completion_length(c) for c in completions]
    if truncated is None:
        truncated = [n >= max_new_tokens for n in lengths]
    verdicts = [verify(task, prompt, answer, c) for c in completions]
    keys = term_keys(terms)
    rewards = [0] * len(completions)
    components = {}
    for key, term in zip(keys, terms):
        if term["component"] == "user-code":
            if user_code is None:
                raise RewardCodeError("a user-code reward term needs the user-code sandbox")
            fn = lambda x, params, r: user_code.call(x)  # noqa: E731
        else:
            fn = COMPONENTS[term["component"]]
        params = term.get("params") or {}
        values = []
        for i, completion in enumerate(completions):
            x = {
                "prompt": prompt,
                "answer": answer,
                "completion": completion,
                "verdict": verdicts[i],
                "group": {
                    "completions": completions,
                    "verdicts": verdicts,
                    "lengths": lengths,
                    "truncated": truncated,
                    "index": i,
                    "maxNewTokens": max_new_tokens,
                    "step": step,
                },
            }
            values.append(fn(x, params, rand))
        for i, v in enumerate(values):
            rewards[i] += term["weight"] * v
        components[key] = values
    breakdown = [{key: components[key][i] for key in keys} for i in range(len(completions))]
    return {"rewards": rewards, "components": components, "breakdown": breakdown}


# ---------------------------------------------------------------------------------------------
# A run's reward shape, bound to its task and settings: what rewards.py (TRL) and reward_fn.py
# (verl) expose.


def completion_text(completion):
    """A TRL completion as text: a string, or conversational [{"role": "assistant", "content": ...}]."""
    if isinstance(completion, str):
        return completion
    return "".join(m.get("content", "") for m in completion if isinstance(m, dict))


class RewardShape:
    """A run's reward. shape: {task, terms, maxNewTokens, groupSize, updatesPerStep, seed, rngStream,
    userRewardCode, bosText}; rows: train.jsonl rows by prompt (their answer is used when present)."""

    def __init__(self, shape, rows=None):
        self.task = shape["task"]
        self.terms = shape["terms"]
        self.keys = term_keys(self.terms)
        self.weights = [t["weight"] for t in self.terms]
        self.max_new_tokens = shape["maxNewTokens"]
        self.group_size = shape["groupSize"]
        self.updates_per_step = shape.get("updatesPerStep", 1)
        self.bos_text = shape.get("bosText", "")
        self.seed = shape.get("seed", 1)
        self.rng_stream = shape.get("rngStream", 0)
        self.rng = Rng(self.seed, self.rng_stream)  # the stream training draws from, call after call
        self.user_code_text = shape.get("userRewardCode", "")
        self.rows = rows or {}
        self._user_code = None
        self._cache = (None, None)

    def user_code(self):
        if self._user_code is None and any(t["component"] == "user-code" for t in self.terms):
            self._user_code = UserCode(self.user_code_text)
        return self._user_code

    def task_prompt(self, prompt):
        """The task prompt a framework's prompt stands for: the text (of a chat prompt, its last user
        message) without a leading BOS text."""
        if isinstance(prompt, str):
            text = prompt
        else:
            users = [m for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
            text = users[-1].get("content", "") if users else completion_text(prompt)
        if self.bos_text and text.startswith(self.bos_text):
            text = text[len(self.bos_text) :]
        return text

    def answer_for(self, prompt, answer=None):
        if answer is not None:
            return answer
        row = self.rows.get(prompt)
        return row["answer"] if row is not None else reference_answer(self.task, prompt)

    def _group(self, prompt, completions, rand, answer=None, lengths=None, truncated=None, step=0):
        return score_group(
            self.terms,
            self.task,
            prompt,
            self.answer_for(prompt, answer),
            completions,
            self.max_new_tokens,
            lengths=lengths,
            truncated=truncated,
            step=step,
            rand=rand,
            user_code=self.user_code(),
        )

    def _one(self, prompt, completion, rand, columns):
        prompt = self.task_prompt(prompt)
        scored = self._group(
            prompt,
            [completion_text(completion)],
            rand,
            answer=columns.get("answer"),
            lengths=[columns["length"]] if "length" in columns else None,
            truncated=[columns["truncated"]] if "truncated" in columns else None,
            step=columns.get("step", 0),
        )
        return {"reward": scored["rewards"][0], "components": scored["breakdown"][0]}

    def score(self, prompt, completion, **columns):
        """The reward the playground's trainer gives one completion scored as a group of one:
        {"reward": r, "components": {key: value}}, the object `npm run cli -- reward` prints (random
        terms draw from a fresh Rng(seed, rngStream), as that command does). Columns may give answer,
        length, truncated, step; otherwise the train.jsonl row (or the task) gives the answer."""
        return self._one(prompt, completion, Rng(self.seed, self.rng_stream).next, columns)

    def score_batch(self, prompts, completions, group_ids=None, answers=None, step=0):
        """Scores a batch whose groups are the completions sharing a group id (by default, runs of
        one prompt at most groupSize long). Returns (rewards, {key: values}) in batch order."""
        ids = group_ids if group_ids is not None else _consecutive_groups(prompts, self.group_size)
        members = {}
        for i, gid in enumerate(ids):
            members.setdefault(gid, []).append(i)
        rewards = [0.0] * len(completions)
        values = {k: [0.0] * len(completions) for k in self.keys}
        for rows in members.values():
            prompt = self.task_prompt(prompts[rows[0]])
            scored = self._group(
                prompt,
                [completion_text(completions[i]) for i in rows],
                self.rng.next,
                answer=answers[rows[0]] if answers is not None else None,
                step=step,
            )
            for j, i in enumerate(rows):
                rewards[i] = scored["rewards"][j]
                for k in self.keys:
                    values[k][i] = scored["components"][k][j]
        return rewards, values

    # TRL: one reward function per term (named after the term, so TRL logs rewards/<key>/mean), to be
    # weighted by reward_weights. TRL calls each with the whole local batch; the first call of a batch
    # scores every term, and the others read its result, so random terms draw once per completion.
    def trl_reward_funcs(self):
        return [self._trl_func(k) for k in self.keys]

    def _trl_func(self, key):
        def reward(prompts, completions, **kwargs):
            state = kwargs.get("trainer_state")
            step = state.global_step // self.updates_per_step if state is not None else 0
            texts = tuple(completion_text(c) for c in completions)
            cache_key = (step, tuple(completion_text(p) for p in prompts), texts)
            if self._cache[0] != cache_key:
                self._cache = (
                    cache_key,
                    self.score_batch(prompts, completions, kwargs.get("index"), kwargs.get("answer"), step),
                )
            return [float(v) for v in self._cache[1][1][key]]

        reward.__name__ = key
        return reward

    # verl: compute_score (the default "naive" reward manager, one response at a time: a group of
    # one) and compute_score_batch (reward_manager=batch: a whole batch, grouped by extra_info.index).
    def verl_compute_score(self, data_source, solution_str, ground_truth, extra_info=None):
        info = extra_info or {}
        out = self._one(info.get("task_prompt", ""), solution_str, self.rng.next, {"answer": ground_truth})
        return dict(out["components"], score=out["reward"])

    def verl_compute_score_batch(self, data_sources, solution_strs, ground_truths, extra_infos):
        infos = [e or {} for e in extra_infos]
        prompts = [e.get("task_prompt", "") for e in infos]
        ids = [e.get("index", i) for i, e in enumerate(infos)]
        rewards, _ = self.score_batch(prompts, list(solution_strs), ids, list(ground_truths))
        return [float(r) for r in rewards]


def _consecutive_groups(prompts, group_size):
    ids = []
    run = 0
    for i, p in enumerate(prompts):
        if i == 0 or p != prompts[i - 1] or run == group_size:
            run = 0
        run += 1
        ids.append(i - run + 1)
    return ids


def load_rows(path):
    """train.jsonl rows by prompt."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows[row["prompt"]] = row
    return rows


def _main():
    """Scores JSON cases from stdin, one per line: {"terms", "task", "prompt", "answer"?, "completions",
    "maxNewTokens", "lengths"?, "truncated"?, "step"?, "seed"?, "stream"?}; writes one JSON result per line."""
    import sys

    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        rng = Rng(case.get("seed", 0), case.get("stream", 0))
        answer = case["answer"] if "answer" in case else reference_answer(case["task"], case["prompt"])
        out = score_group(
            case["terms"],
            case["task"],
            case["prompt"],
            answer,
            case["completions"],
            case["maxNewTokens"],
            lengths=case.get("lengths"),
            truncated=case.get("truncated"),
            step=case.get("step", 0),
            rand=rng.next,
        )
        out["verdicts"] = [verify(case["task"], case["prompt"], answer, c) for c in case["completions"]]
        out["answer"] = answer
        out["draws"] = rng.counter
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    _main()
