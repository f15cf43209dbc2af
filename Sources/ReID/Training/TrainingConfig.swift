import Torch

/// Everything a training run needs, decoded from YAML over these defaults (see `configs/`).
/// The defaults are the supervised strong baseline's (BoT, Luo et al. 2019); each method's
/// config file overrides what its paper changes.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var method = "supervised"
    public var seed: UInt64 = 0
    public var model = ModelSection()
    public var data = DataSection()
    public var optimizer = OptimizerSection()
    public var schedule = LRSchedule(decay: .step, warmupEpochs: 10, warmupFactor: 0.01, milestones: [40, 70],
                                     gamma: 0.1, totalEpochs: 120)
    public var loss = LossSection()
    public var training = LoopSection()
    public var evaluation = EvaluationSection()
    public var clustering = ClusteringSection()
    public var pplr = PPLRSection()
    public var remix = RemixSection()
    /// Generated views for PPLR (see ViewsSection.swift); off unless `views.method` is set.
    public var views = ViewsSection()

    public init() {}

    /// ReMix: joint training on labeled multi-camera data and unlabeled single-camera videos
    /// (`data.singleCamera`); see docs/remix.md. Videos are clustered with the `clustering` section.
    public struct RemixSection: Codable, Equatable, Sendable {
        /// EMA momentum of the momentum encoder (centroids and pseudo-labels come from it).
        public var momentum = 0.999
        /// Videos sampled and clustered each epoch (0: all).
        public var videosPerEpoch = 0
        /// Share of the P identities of a batch taken from the labeled data; the rest are video
        /// pseudo-identities. 1: labeled data only (the same-budget baseline).
        public var labeledFraction = 0.5
        /// Augmented views of each sampled image (2 gives the augmentation loss its pairs).
        public var views = 2
        /// Temperatures of the centroid losses and of the instance loss.
        public var temperature = 0.05
        public var instanceTemperature = 0.1
        /// Loss weights.
        public var instanceWeight = 1.0
        public var augmentationWeight = 1.0
        public var centroidsWeight = 1.0
        public var cameraCentroidsWeight = 1.0
    }

    /// Part-based pseudo-label refinement (PPLR); the number of parts is `model.parts`.
    public struct PPLRSection: Codable, Equatable, Sendable {
        /// Neighbours compared by the cross-agreement score.
        public var k = 20
        /// Weight of the one-hot pseudo-label in PGLR's refined global target.
        public var beta = 0.5
        /// Epoch (0-based) from which parts use AALS; plain label-smoothed CE before.
        public var aalsEpoch = 5
        /// Ablation switches: without them, label-smoothed CE replaces AALS / PGLR.
        public var aals = true
        public var pglr = true
        /// Multiply each classifier's logits by sqrt(2048 / d), d the dimension of its feature.
        /// The classifiers take the BNNeck feature unnormalised, as the reference does, so its norm
        /// (about sqrt(d)) acts as an inverse softmax temperature, set in the paper by ResNet-50's
        /// 2048 channels; a narrower network (the shared OSNet's parts have 128) predicts nearly
        /// flat distributions, which PGLR then mixes into the global target. Off: the reference.
        /// Measured from the shared OSNet (4 x 40, validation split, one seed): 19.4 % validation
        /// mAP with it against 41.0 % without (AALS's part loss rose from 2.1 to 13), so it stays off.
        public var scaleLogits = false
        /// Weight of the camera-aware proxy loss (`InterCameraProxies`) on the global and the part
        /// features: the authors' variant for data with camera labels (`lam_cam`, 0.5 in their
        /// script). 0 is PPLR as published, without camera labels.
        public var cameraProxyWeight = 0.0
    }

    /// Pseudo-labelling and the cluster memory of the unsupervised methods.
    public struct ClusteringSection: Codable, Equatable, Sendable {
        /// k-reciprocal Jaccard distance neighbourhoods.
        public var k1 = 30
        public var k2 = 6
        /// DBSCAN radius (on the Jaccard distance) and neighbours a core point needs.
        public var eps = 0.6
        public var minSamples = 4
        /// Normalise features per camera (mean and std) before clustering.
        public var cameraNorm = false
        /// Same-camera pairs count as this much less cosine-similar when building the Jaccard
        /// neighbourhoods (see `CameraAwareNeighbours`); 0 keeps the published distance.
        public var cameraPenalty = 0.0
        /// ClusterNCE temperature and the memory's momentum; hard update = move each centroid
        /// towards its least similar batch feature instead of the batch mean.
        public var temperature = 0.05
        public var momentum = 0.1
        public var hardUpdate = false
    }

    public struct ModelSection: Codable, Equatable, Sendable {
        /// A backbone name from the registry (resnet50, resnet50-ibn-a, osnet_x1_0, mobilenetv2, …).
        public var backbone = "resnet50"
        public var lastStride = 1
        /// "gem" or "average" global pooling before the BNNeck.
        public var pooling = "average"
        public var gemP = 3.0
        /// Horizontal part features (0: none; PPLR uses 3).
        public var parts = 0
        /// With parts on an `onnx:` network that pools to an embedding: true takes the global
        /// feature from the network's own layers after its last pooling (its trained embedding);
        /// false pools it from the same map as the parts, as PPLR's ResNet-50 does.
        public var onnxEmbedding = true
        /// Weights to start from: a run's best.safetensors, a backbone file (.safetensors/.pth);
        /// empty: the backbone's random initialisation.
        public var initialWeights = ""
    }

    public struct DataSection: Codable, Equatable, Sendable {
        public var root = ""
        /// Dataset layout (market, duke, msmt17, cuhk03-labeled, cuhk03-detected, csv); detected when empty.
        public var format = ""
        public var height = 256
        public var width = 128
        /// P identities × K images per batch.
        public var identitiesPerBatch = 16
        public var instancesPerIdentity = 4
        /// "pk" (random identity sampler) or "cross-camera" (prefers other-camera samples of an id).
        public var sampler = "pk"
        /// Augmentation: flip probability, padding before the random crop, random-erasing probability,
        /// colour-jitter strength (brightness/contrast/saturation; 0 off).
        public var flip = 0.5
        public var padding = 10
        public var randomErasing = 0.5
        public var colorJitter = 0.0
        /// Unlabeled single-camera data (`<video>/<track>/*.jpg` or `<video>/*.jpg`) for the
        /// methods that use it (remix); empty: none.
        public var singleCamera = ""
        /// A labelled dataset whose query/gallery the run evaluates on (`reid train --eval-data`);
        /// empty: the training dataset's own query/gallery when it has them, else no evaluation.
        public var evalRoot = ""
        /// Training identities set aside (with labels) to choose `best.safetensors` on; 0: none,
        /// and `best` is the last checkpoint. The test set (the dataset's query/gallery or
        /// `evalRoot`) is evaluated and logged, never used to choose. See `ValidationSplit`.
        public var validationIdentities = 0

        /// The training transform these settings describe.
        public var transform: TransformConfig {
            var t = TransformConfig(height: height, width: width, flipProbability: flip, padding: padding)
            t.erasing = randomErasing > 0 ? TransformConfig.ErasingConfig(probability: randomErasing) : nil
            t.colorJitter = colorJitter > 0
                ? TransformConfig.ColorJitterConfig(brightness: colorJitter, contrast: colorJitter, saturation: colorJitter,
                                                    probability: 0.5) : nil
            return t
        }
    }

    public struct OptimizerSection: Codable, Equatable, Sendable {
        /// adam, adamw or sgd.
        public var name = "adam"
        public var lr = 3.5e-4
        public var weightDecay = 5e-4
        public var momentum = 0.9
    }

    public struct LossSection: Codable, Equatable, Sendable {
        public var crossEntropyWeight = 1.0
        public var labelSmoothing = 0.1
        public var tripletWeight = 1.0
        /// Batch-hard triplet margin, or the soft margin log(1 + exp(d_ap − d_an)) when `tripletSoftMargin`.
        public var tripletMargin = 0.3
        public var tripletSoftMargin = false
        /// Center loss weight (0 disables it) and its own SGD learning rate.
        public var centerWeight = 0.005
        public var centerLR = 0.5
    }

    public struct LoopSection: Codable, Equatable, Sendable {
        public var epochs = 120
        /// Iterations per epoch; 0 means one pass of the sampler.
        public var itersPerEpoch = 0
        /// Evaluate every N epochs (and after the last); 0 only after the last; −1 never.
        public var evalEvery = 10
        /// Also evaluate the starting model, logged as epoch 0 (e.g. direct transfer before adaptation).
        public var evalBeforeTraining = false
        /// Stop (after evaluating) at the end of the first epoch past this many minutes; 0: no limit.
        public var maxMinutes = 0.0
        /// BatchNorm statistics over sub-batches of this many images (0: the whole batch).
        public var bnBatch = 0
        public var device = "cpu"
        /// Store 4-D weights and inputs channels-last (faster oneDNN convolutions on CPU).
        public var channelsLast = true
        /// fp32, or bf16: the backbone's forward (training and the epochs' feature extraction)
        /// under CPU autocast, where the CPU runs bfloat16 natively (else float32, with a message).
        public var precision = Precision.fp32
    }

    public struct EvaluationSection: Codable, Equatable, Sendable {
        public var metric = DistanceMetric.cosine
        public var rerank = false
        public var cameraNorm = false
        /// Ranked lists drawn in the report.
        public var rankedQueries = 8
    }
}
