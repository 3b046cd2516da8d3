// The Hugging Face model an export trains unless told otherwise: a small instruct model, so the
// task prompt and its instruction read as a chat turn. Its own module so the page can show it
// without loading the export code.

export const DEFAULT_MODEL = 'Qwen/Qwen2.5-0.5B-Instruct';
