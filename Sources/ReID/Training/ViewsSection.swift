extension TrainingConfig {
    /// Training PPLR with extra views of each image (generated, rendered or ground truth) from a
    /// view set in GCL's layout (`nv/<degrees>/<name>`, `mask/<name>`). Four ways to use them:
    /// - `simple`: originals plus `perImage` views per image are clustered and trained on alike;
    /// - `inject`: only originals are clustered; each view takes its original's pseudo-label and
    ///   views of outliers are left out;
    /// - `sequential`: a curriculum (`schedule`): each phase trains the originals with one view per
    ///   original at that phase's angle, as the paper injects one generated image at a time
    ///   (`cumulative: true` keeps earlier phases' views instead);
    /// - `mesh-combine`: the feature of an original used for clustering, agreement and the losses is
    ///   (w_o·f(original) + w_m·f(masked original)) / (w_o + w_m); with a `schedule` views are
    ///   added sequentially too.
    public struct ViewsSection: Codable, Equatable, Sendable {
        /// "" (no views), simple, inject, sequential or mesh-combine.
        public var method = ""
        /// The view set folder; empty: the training data root (the synthetic dataset holds its views).
        public var dir = ""
        /// Views per original for simple and inject (taken from `angles`, rotating by image).
        public var perImage = 1
        /// Angles to use (empty: all in the view set).
        public var angles: [Int] = []
        /// Sequential curriculum: `angle:startPercent-endPercent,…` of the epochs,
        /// e.g. `135:0-25,90:25-50,270:50-75,180:75-100`.
        public var schedule = ""
        /// Sequential: false (the paper's curriculum) trains each phase with its own angle only, one
        /// view per original; true keeps the views of earlier phases (one more view per original
        /// each phase, so the last phase has them all, which the paper found worse).
        public var cumulative = false
        /// mesh-combine weights: "fixed" (originalWeight : maskWeight) or "learned" (trainable,
        /// softmax-normalised, starting from the same ratio).
        public var combine = "fixed"
        public var originalWeight = 2.0
        public var maskWeight = 1.0
        /// Learning rate of the learned weights' logits (their own optimiser group, no weight decay).
        public var weightLR = 0.01
        /// Where masks come from: "auto" (the view set's mask/ when it has one for every image,
        /// else activation), "viewset", or "activation" (the model's own activation map,
        /// min-max normalised per image and thresholded at `maskThreshold`, every epoch).
        public var masks = "auto"
        public var maskThreshold = 0.4
        /// mesh-combine: combine features in the training losses too (each batch then also
        /// loads the masked images); false: only for clustering and agreement.
        public var combineInTraining = true
    }
}
