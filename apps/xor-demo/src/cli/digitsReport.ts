// The digits run's report: learning curves (loss and accuracy, train and test, per epoch), the test
// confusion matrix with counts, the misclassified test digits with their predicted and true labels,
// and the graph of one training step, through @gradlab/viz/node's report pipeline (one Chromium
// launch for every PNG and the PDF).
import { writeReport, renderGraphSvg, type ReportInput } from '@gradlab/viz/node';
import { confusionMatrix } from '@gradlab/nn';
import { Tensor } from '@gradlab/core';
import { describeDigits, digitsStepGraph, misclassifiedImages, type DigitsTrainer, type Evaluation } from '../lab/digits.ts';
import { writeFileAtomic } from './files.ts';

/** Misclassified digits drawn at most. */
export const GALLERY_MAX = 40;

export async function writeDigitsReport(dir: string, trainer: DigitsTrainer, test: Evaluation, printout: string, options: { png: boolean }) {
  const h = trainer.history;
  const epochs = h.map((m) => m.epoch);
  const data = trainer.data;
  const predicted = new Tensor(Float64Array.from(test.predicted), [test.predicted.length]);
  const matrix = confusionMatrix(predicted, data.test.y, { numClasses: data.classes });
  const wrong = misclassifiedImages(data.test, test.predicted);
  const step = digitsStepGraph(trainer, 0);
  const graphSvg = await renderGraphSvg(step.dot);
  const c = trainer.config;
  const input: ReportInput = {
    title: `gradlab digits: ${c.model === 'cnn' ? 'a small CNN' : 'an MLP'} on handwritten digits`,
    config: {
      network: describeDigits(c, trainer.parameterCount, trainer.engine),
      layers: trainer.model.describe().replace(/\s+/g, ' '),
      data: `${data.name}: ${data.train.y.size} training, ${data.test.y.size} test images (8×8, 17 gray levels), ${data.classes} classes`,
      loss: 'softmax cross-entropy on the 10 logits',
      optimizer: `Adam, lr ${c.lr}`,
      'batch size': `${c.batchSize} (shuffled every epoch, seed ${c.seed})`,
      epochs: `${trainer.epoch} of ${c.epochs}`,
      'test accuracy': `${(100 * test.accuracy).toFixed(2)}%`,
    },
    printout,
    accuracy: test.accuracy,
    runs: [
      { label: 'train loss (mean over the epoch’s batches)', epochs, losses: h.map((m) => m.trainLoss), color: '#1f77b4' },
      { label: 'test loss (after the epoch)', epochs, losses: h.map((m) => m.testLoss), color: '#d62728' },
    ],
    lossAxis: { xLabel: 'epoch (pass over the training set)', title: 'Learning curves: loss' },
    accuracyRuns: [
      { label: 'train accuracy', epochs, losses: h.map((m) => m.trainAccuracy), color: '#1f77b4' },
      { label: 'test accuracy', epochs, losses: h.map((m) => m.testAccuracy), color: '#d62728' },
    ],
    confusion: { matrix, classNames: [...data.classNames], title: `Test confusion matrix (${data.test.y.size} digits)` },
    gallery: {
      heading: 'Misclassified test digits',
      title: `${wrong.length} of ${data.test.y.size} test digits misclassified`,
      images: wrong.map((w) => ({ pixels: w.pixels, caption: `true ${w.label}\npredicted ${w.predicted}` })),
      width: 8,
      height: 8,
      range: [0, 16],
      maxImages: GALLERY_MAX,
    },
    captions: {
      loss: 'Train loss: the mean over each epoch’s minibatches as they were trained on (the weights moving during the epoch); test loss: the whole test split after the epoch.',
      accuracy: 'Accuracy by argmax of the 10 logits; train accuracy over the epoch’s minibatches, test accuracy after the epoch.',
      confusion: 'Rows: the true digit; columns: the predicted one; n: test digits of each class. The diagonal is shaded by the share of its row, mistakes by the square root of theirs so that single ones show.',
      gallery: 'Each test image the final network gets wrong, darker = more ink (the data set’s 0…16), with its true and predicted digit.',
    },
    graphSvg,
    graphCaption: step.caption,
  };
  return writeReport(dir, input, { png: options.png, writeFile: writeFileAtomic });
}
