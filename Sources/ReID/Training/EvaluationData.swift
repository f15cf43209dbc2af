import Foundation

/// What a training run evaluates on: `data.evalRoot` (`reid train --eval-data DIR`, a labelled
/// query/gallery set in any layout) when given, else the training dataset's own query and
/// gallery when it has both, else nothing. Unlabeled crops from a user's cameras have no
/// query/gallery; such a run logs cluster statistics instead, and its best checkpoint is the last.
public enum EvaluationData {
    public static func resolve(config: TrainingConfig, training: any ReIDDataset) throws -> (any ReIDDataset)? {
        if !config.data.evalRoot.isEmpty {
            let options = DatasetOptions(splits: [.query, .gallery], optionalSplits: [])
            let dataset = try DatasetLayout.load(config.data.evalRoot, options: options)
            guard !dataset.query.isEmpty, !dataset.gallery.isEmpty else {
                throw ReIDError.data(path: config.data.evalRoot, reason: "has no labelled query and gallery images to "
                                     + "evaluate on (--eval-data needs e.g. Market-1501's query/ and bounding_box_test/)")
            }
            guard dataset.query.contains(where: { $0.pid >= 0 }) else {
                throw ReIDError.data(path: config.data.evalRoot, reason: "its query images carry no identities; "
                                     + "--eval-data needs labelled images (pids in the file names or a CSV manifest)")
            }
            return dataset
        }
        return training.query.isEmpty || training.gallery.isEmpty ? nil : training
    }
}
