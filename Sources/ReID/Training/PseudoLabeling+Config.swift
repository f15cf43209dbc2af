extension PseudoLabeling {
    /// The pseudo-labelling a config's `clustering` section describes.
    public init(_ section: TrainingConfig.ClusteringSection) {
        self.init(k1: section.k1, k2: section.k2, eps: Float(section.eps), minSamples: section.minSamples,
                  cameraNormalization: section.cameraNorm, cameraPenalty: Float(section.cameraPenalty))
    }
}
