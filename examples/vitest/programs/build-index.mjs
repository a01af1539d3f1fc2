// The program under test: builds an inverted index of N generated documents
// (the same documents every time) and prints its size.
const n = Number(process.argv[2] ?? 20_000);
let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const words = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}`);

const index = new Map();
for (let doc = 0; doc < n; doc++) {
  for (let k = 0; k < 50; k++) {
    const word = words[Math.floor(random() * words.length)];
    let postings = index.get(word);
    if (!postings) index.set(word, (postings = []));
    postings.push(doc);
  }
}
let postings = 0;
for (const list of index.values()) postings += list.length;
console.log(`indexed ${n} documents: ${index.size} words, ${postings} postings`);
