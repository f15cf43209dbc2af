import Torch

// The valid range of every number in a training config, next to the sections they belong to.
// Upper limits are far above any real run; they exist so that products such as P × K images per
// batch or height × width cannot overflow an Int (which traps) before libtorch sees them.

extension TrainingConfig: ValidatedConfig {
    /// Throws an error naming the first key whose value is out of range (`ReIDError.invalidOption`).
    public func validate() throws {
        try model.validate()
        try data.validate()
        try optimizer.validate()
        try schedule.validate()
        try loss.validate()
        try training.validate()
        try evaluation.validate()
        try clustering.validate()
        try pplr.validate()
        try remix.validate()
        try views.validate()
    }

    /// Largest image side, batch dimension or per-epoch count accepted.
    static let maxSide = 8192, maxCount = 1 << 20, maxEpochs = 1_000_000
}

extension TrainingConfig.ModelSection {
    func validate() throws {
        let r = ConfigRules("model")
        try r.integer("lastStride", lastStride, atLeast: 1, atMost: 2)
        try r.number("gemP", gemP, above: 0, atMost: 1000)
        try r.integer("parts", parts, atLeast: 0, atMost: 64)
    }
}

extension TrainingConfig.DataSection {
    func validate() throws {
        let r = ConfigRules("data")
        try r.integer("height", height, atLeast: 1, atMost: TrainingConfig.maxSide)
        try r.integer("width", width, atLeast: 1, atMost: TrainingConfig.maxSide)
        // Sizes are height × width; a swapped pair trains on squashed people without a word.
        guard width <= height else {
            throw ReIDError.invalidOption("config keys 'data.height' \(height) and 'data.width' \(width): a person crop is "
                + "upright, so width must not exceed height; swap them (e.g. data.height=256, data.width=128)")
        }
        try r.integer("identitiesPerBatch", identitiesPerBatch, atLeast: 1, atMost: 4096)
        try r.integer("instancesPerIdentity", instancesPerIdentity, atLeast: 1, atMost: 4096)
        try r.fraction("flip", flip)
        try r.integer("padding", padding, atLeast: 0, atMost: TrainingConfig.maxSide)
        try r.fraction("randomErasing", randomErasing)
        try r.number("colorJitter", colorJitter, atLeast: 0, atMost: 1)
    }
}

extension TrainingConfig.OptimizerSection {
    func validate() throws {
        let r = ConfigRules("optimizer")
        try r.number("lr", lr, above: 0, atMost: 1000)
        try r.number("weightDecay", weightDecay, atLeast: 0, atMost: 1000)
        try r.fraction("momentum", momentum)
    }
}

extension LRSchedule {
    func validate() throws {
        let r = ConfigRules("schedule")
        try r.integer("warmupEpochs", warmupEpochs, atLeast: 0, atMost: TrainingConfig.maxEpochs)
        try r.number("warmupFactor", warmupFactor, atLeast: 0, atMost: 1)
        for milestone in milestones {
            try r.integer("milestones", milestone, atLeast: 0, atMost: TrainingConfig.maxEpochs)
        }
        try r.number("gamma", gamma, above: 0, atMost: 1000)
        try r.integer("totalEpochs", totalEpochs, atLeast: 0, atMost: TrainingConfig.maxEpochs)
        try r.fraction("minFactor", minFactor)
    }
}

extension TrainingConfig.LossSection {
    func validate() throws {
        let r = ConfigRules("loss")
        try r.number("crossEntropyWeight", crossEntropyWeight, atLeast: 0, atMost: 1e6)
        try r.number("labelSmoothing", labelSmoothing, atLeast: 0, below: 1)
        try r.number("tripletWeight", tripletWeight, atLeast: 0, atMost: 1e6)
        try r.number("tripletMargin", tripletMargin, atLeast: 0, atMost: 1e6)
        try r.number("centerWeight", centerWeight, atLeast: 0, atMost: 1e6)
        try r.number("centerLR", centerLR, atLeast: 0, atMost: 1e6)
    }
}

extension TrainingConfig.LoopSection {
    func validate() throws {
        let r = ConfigRules("training")
        try r.integer("epochs", epochs, atLeast: 1, atMost: TrainingConfig.maxEpochs)
        try r.integer("itersPerEpoch", itersPerEpoch, atLeast: 0, atMost: TrainingConfig.maxCount)
        try r.integer("evalEvery", evalEvery, atLeast: -1, atMost: TrainingConfig.maxEpochs)
        try r.number("maxMinutes", maxMinutes, atLeast: 0)
        try r.integer("bnBatch", bnBatch, atLeast: 0, atMost: TrainingConfig.maxCount)
    }
}

extension TrainingConfig.EvaluationSection {
    func validate() throws {
        try ConfigRules("evaluation").integer("rankedQueries", rankedQueries, atLeast: 0, atMost: 10_000)
    }
}

extension TrainingConfig.ClusteringSection {
    func validate() throws {
        let r = ConfigRules("clustering")
        try r.integer("k1", k1, atLeast: 1, atMost: TrainingConfig.maxCount)
        try r.integer("k2", k2, atLeast: 1, atMost: TrainingConfig.maxCount)
        try r.number("eps", eps, above: 0, atMost: 2)
        try r.integer("minSamples", minSamples, atLeast: 1, atMost: TrainingConfig.maxCount)
        try r.number("cameraPenalty", cameraPenalty, atLeast: 0, atMost: 2)
        try r.number("temperature", temperature, above: 0, atMost: 1000)
        try r.fraction("momentum", momentum)
    }
}

extension TrainingConfig.PPLRSection {
    func validate() throws {
        let r = ConfigRules("pplr")
        try r.integer("k", k, atLeast: 1, atMost: TrainingConfig.maxCount)
        try r.fraction("beta", beta)
        try r.integer("aalsEpoch", aalsEpoch, atLeast: 0, atMost: TrainingConfig.maxEpochs)
        try r.number("cameraProxyWeight", cameraProxyWeight, atLeast: 0, atMost: 1e6)
    }
}

extension TrainingConfig.RemixSection {
    func validate() throws {
        let r = ConfigRules("remix")
        try r.fraction("momentum", momentum)
        try r.integer("videosPerEpoch", videosPerEpoch, atLeast: 0, atMost: TrainingConfig.maxCount)
        try r.fraction("labeledFraction", labeledFraction)
        try r.integer("views", views, atLeast: 1, atMost: 64)
        try r.number("temperature", temperature, above: 0, atMost: 1000)
        try r.number("instanceTemperature", instanceTemperature, above: 0, atMost: 1000)
        for (key, weight) in [("instanceWeight", instanceWeight), ("augmentationWeight", augmentationWeight),
                              ("centroidsWeight", centroidsWeight), ("cameraCentroidsWeight", cameraCentroidsWeight)] {
            try r.number(key, weight, atLeast: 0, atMost: 1e6)
        }
    }
}

extension TrainingConfig.ViewsSection {
    func validate() throws {
        let r = ConfigRules("views")
        try r.integer("perImage", perImage, atLeast: 1, atMost: 1024)
        for angle in angles { try r.integer("angles", angle, atLeast: -360, atMost: 360) }
        try r.number("originalWeight", originalWeight, atLeast: 0, atMost: 1e6)
        try r.number("maskWeight", maskWeight, atLeast: 0, atMost: 1e6)
        guard originalWeight + maskWeight > 0 else {
            throw ReIDError.invalidOption("config keys 'views.originalWeight' and 'views.maskWeight' must not both be 0")
        }
        try r.number("weightLR", weightLR, atLeast: 0, atMost: 1000)
        try r.fraction("maskThreshold", maskThreshold)
    }
}
