package lifecycle

// What the fakes answer for (askNew's question and its mark).
var NewFactsArgv = newFactsArgv

const NewFactsMark = newFactsMark
