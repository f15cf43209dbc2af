import Foundation
import Torch

/// The view generator, after DG-Net (Zheng et al., CVPR 2019) as the GAN-augmented re-ID paper
/// uses it: an identity/appearance encoder (the re-ID backbone, frozen: its pooled feature, with
/// the image's coarse colour layout, is mapped to AdaIN parameters), a structure encoder on grey
/// images, a decoder, and a patch discriminator. Images enter as the re-ID pipeline loads them (ImageNet-normalised) and are
/// generated in −1…1.
///
/// Losses of the generator side, per step on images x_i, a same-pseudo-identity partner x_j
/// and a different image x_k:
/// - self-reconstruction: G(a_i, s_i) ≈ x_i (L1);
/// - cross-reconstruction of identity: G(a_j, s_i) ≈ x_i (L1): same identity, so the partner's
///   appearance must redraw x_i on x_i's structure;
/// - feature consistency on y = G(a_k, s_i): the re-ID feature of y matches x_k's (1 − cosine)
///   and the structure code of y matches s_i (L1);
/// - identity contrast on y: among all training images (training passes the feature bank; else
///   the batch's appearance sources x_k and structure sources x_i), y's feature must pick its own
///   x_k (cross-entropy over cosine / τ). Why: the grey structure
///   carries the clothing's light and dark, so without it the decoder learns to redraw x_i with
///   x_k's tint, which the cosine term alone tolerates; generated views take their structure from
///   another person (`PseudoIdentities.poseDonors`), and must look like their appearance source,
///   not like that donor;
/// - adversarial (least squares) on y and on the reconstructions.
/// Training (`GeneratorTraining`) keeps an exponential moving average of the generator modules,
/// from which samples and views are drawn.
public final class ViewGenerator: Module {
    public let identity: ReIDModel
    let mapping: StyleMapping
    let structure: StructureEncoder
    let decoder: ViewDecoder
    let discriminator: PatchDiscriminator

    public struct Weights: Sendable {
        public var selfReconstruction = 5.0
        public var crossReconstruction = 5.0
        public var identityConsistency = 1.0
        public var structureConsistency = 1.0
        public var identityContrast = 1.0
        /// Temperature of the identity contrast.
        public var contrastTemperature = 0.1
        public var adversarial = 1.0
        public init() {}
    }
    public var weights = Weights()

    /// `GeneratorSettings.structureDetail`: 0, or the side of the local mean taken out of grey structure inputs.
    public let structureDetail: Int

    public init(identity: ReIDModel, structureWidth: Int = 16, structureDetail: Int = 0, colourMap: Bool = false) throws {
        self.identity = identity
        self.structureDetail = structureDetail
        identity.eval()
        identity.requiresGrad(false)
        structure = try StructureEncoder(width: structureWidth)
        decoder = try ViewDecoder(channels: structureWidth * 4, colourMap: colourMap)
        mapping = try StyleMapping(feature: identity.featureDimension, colours: 3 * ViewGenerator.colourStripes,
                                   output: decoder.styleCount)
        discriminator = try PatchDiscriminator()
    }

    /// Modules trained by the generator optimiser and by the discriminator optimiser.
    var generatorModules: [any Module] { [mapping, structure, decoder] }
    public var trainable: [String: any Module] {
        ["mapping": mapping, "structure": structure, "decoder": decoder, "discriminator": discriminator]
    }

    public func to(device: Device) throws {
        for m in [identity as any Module] + Array(trainable.values) { try m.to(device) }
    }

    static let mean = ImageLoading.imagenetMean.map(Double.init), std = ImageLoading.imagenetStd.map(Double.init)

    /// ImageNet-normalised [N,3,H,W] → −1…1.
    static func toUnit(_ x: Tensor) throws -> Tensor {
        let m = try Tensor(mean.map(Float.init), shape: [1, 3, 1, 1]).to(x.device)
        let s = try Tensor(std.map(Float.init), shape: [1, 3, 1, 1]).to(x.device)
        return try (x * s + m) * 2 - 1
    }

    /// −1…1 → ImageNet-normalised (what the identity encoder reads).
    static func toNormalised(_ y: Tensor) throws -> Tensor {
        let m = try Tensor(mean.map(Float.init), shape: [1, 3, 1, 1]).to(y.device)
        let s = try Tensor(std.map(Float.init), shape: [1, 3, 1, 1]).to(y.device)
        return try ((y + 1) / 2 - m) / s
    }

    /// Luma of a −1…1 image, [N,1,H,W]: the structure input.
    public static func grey(_ unit: Tensor) throws -> Tensor {
        let c = try unit.chunk(3, dim: 1)
        return try c[0] * 0.299 + c[1] * 0.587 + c[2] * 0.114
    }

    /// The identity encoder's L2-normalised embedding of ImageNet-normalised images.
    public func identityFeature(_ normalised: Tensor) throws -> Tensor {
        try identity(normalised).embedding.normalized(dim: 1)
    }

    /// Horizontal stripes of the colour layout (head to feet).
    static let colourStripes = 8

    /// Mean colour (−1…1) of each of `colourStripes` horizontal stripes, [N, 3·stripes]. Why it
    /// joins the re-ID feature in the appearance code: a re-ID feature is trained to ignore what a
    /// picture needs (light, exact shade), and where on the body each colour sits is spelled out
    /// here rather than left for the mapping to decode; the identity losses still make a view
    /// look like its person to the re-ID model.
    public static func colourLayout(_ normalised: Tensor) throws -> Tensor {
        try F.adaptiveAvgPool2d(toUnit(normalised), (colourStripes, 1)).flatten(from: 1)
    }

    /// The appearance code [N, D + 3·stripes]: the L2-normalised identity feature, then the colour layout.
    public static func appearanceCode(feature: Tensor, normalised: Tensor) throws -> Tensor {
        try Tensor.cat([feature, colourLayout(normalised)], dim: 1)
    }

    /// The identity-feature part of appearance codes.
    func featurePart(_ code: Tensor) throws -> Tensor { try code.narrow(dim: 1, start: 0, length: identity.featureDimension) }

    /// The colour-layout part of appearance codes, [N, 3·stripes].
    func colourPart(_ code: Tensor) throws -> Tensor {
        try code.narrow(dim: 1, start: identity.featureDimension, length: 3 * ViewGenerator.colourStripes)
    }

    /// Draws appearance codes [N, D + 3·stripes] on structure codes.
    func decode(_ structure: Tensor, codes: Tensor) throws -> Tensor {
        try decoder(structure, style: mapping(codes), colours: colourPart(codes))
    }

    /// The structure code of grey images [N,1,H,W], after taking out their local mean when
    /// `structureDetail` is set.
    func encodeStructure(_ grey: Tensor) throws -> Tensor {
        guard structureDetail > 0 else { return try structure(grey) }
        let k = structureDetail
        let local = try F.avgPool2d(grey, kernel: (k, k), stride: (1, 1), padding: (k / 2, k / 2), countIncludePad: false)
        return try structure(grey - local)
    }

    /// Generates x's appearance on the structure of the grey images `structureGrey` ([N,1,H,W], −1…1).
    public func generate(appearance normalised: Tensor, structureGrey: Tensor) throws -> Tensor {
        // The appearance code exactly as training feeds it (`GeneratorData.codes`).
        try decode(encodeStructure(structureGrey), codes: ViewGenerator.appearanceCode(feature: identityFeature(normalised),
                                                                                     normalised: normalised))
    }

    public struct StepLosses: Sendable {
        public var selfReconstruction: Double
        public var crossReconstruction: Double
        public var identityConsistency: Double
        public var structureConsistency: Double
        public var identityContrast: Double
        public var adversarial: Double
        public var discriminator: Double
        public var values: [String: Double] {
            ["self_recon": selfReconstruction, "cross_recon": crossReconstruction, "id_consistency": identityConsistency,
             "structure_consistency": structureConsistency, "id_contrast": identityContrast, "adversarial": adversarial, "discriminator": discriminator]
        }
    }

    /// One generator and one discriminator update. `x` is an ImageNet-normalised batch; the
    /// codes are appearance codes (`appearanceCode`, cached in `GeneratorData`) of x, of a
    /// same-pseudo-identity partner of each x, and of a different image of each x. `structureOf`
    /// optionally replaces grey(x) as x's structure input (a rendered body of x's own pose).
    /// With `contrastBank` (every training image's feature, [M, D]) and `otherIndices` (the rows
    /// of the other images), the identity contrast picks each view's appearance source among all
    /// images, as identity preservation measures it; without, among the batch's sources and structures.
    public func step(x: Tensor, xCode: Tensor, partnerCode: Tensor, otherCode: Tensor, structureOf: Tensor? = nil,
                     contrastBank: Tensor? = nil, otherIndices: [Int] = [],
                     generatorOptimizer: Optimizer, discriminatorOptimizer: Optimizer) throws -> StepLosses {
        let unit = try ViewGenerator.toUnit(x)
        let sGrey = try structureOf ?? ViewGenerator.grey(unit)
        let s = try encodeStructure(sGrey)
        // The three decodings of x's structure (own, partner's and another image's appearance)
        // in one batch: instance norm works per image, so this equals three calls, in fewer,
        // larger convolutions.
        let n = x.size(0)
        let (xFeature, otherFeature) = (try featurePart(xCode), try featurePart(otherCode))
        let decoded = try decode(Tensor.cat([s, s, s], dim: 0), codes: Tensor.cat([xCode, partnerCode, otherCode], dim: 0))
        let selfRecon = try decoded.narrow(dim: 0, start: 0, length: n)
        let crossRecon = try decoded.narrow(dim: 0, start: n, length: n)
        let swapped = try decoded.narrow(dim: 0, start: 2 * n, length: n)
        let lSelf = try F.l1Loss(selfRecon, unit)
        let lCross = try F.l1Loss(crossRecon, unit)
        let fy = try identityFeature(ViewGenerator.toNormalised(swapped))
        let lId = try (1 - (fy * otherFeature).sum(dim: 1)).mean()
        let lContrast: Tensor
        if let contrastBank {
            guard otherIndices.count == n else {
                throw ReIDError.model("identity contrast: \(otherIndices.count) bank rows for a batch of \(n)")
            }
            lContrast = try F.crossEntropy(fy.matmul(contrastBank.transposed(0, 1)) / weights.contrastTemperature,
                                           target: Tensor(otherIndices.map(Int64.init)).to(fy.device))
        } else {
            let candidates = try Tensor.cat([otherFeature, xFeature], dim: 0)
            lContrast = try F.crossEntropy(fy.matmul(candidates.transposed(0, 1)) / weights.contrastTemperature,
                                           target: Tensor.arange(n, device: fy.device))
        }
        let lStructure = try F.l1Loss(encodeStructure(ViewGenerator.grey(swapped)), s.detached())
        // Least squares on all three fakes at once (the mean over equal thirds = their average).
        let dFake = try discriminator(decoded)
        let lAdv = try F.mseLoss(dFake, Tensor.ones(dFake.shape, device: dFake.device))
        let total = try lSelf * weights.selfReconstruction + lCross * weights.crossReconstruction
            + lId * weights.identityConsistency + lContrast * weights.identityContrast + lStructure * weights.structureConsistency + lAdv * weights.adversarial
        try generatorOptimizer.zeroGrad()
        try discriminatorOptimizer.zeroGrad()
        try total.backward()
        try generatorOptimizer.step()

        // Discriminator: real images → 1, generated (detached) → 0.
        try discriminatorOptimizer.zeroGrad()
        let real = try discriminator(unit)
        let fake = try discriminator(swapped.detached())
        let lD = try (F.mseLoss(real, Tensor.ones(real.shape, device: real.device)) + F.mseLoss(fake, Tensor.zeros(fake.shape, device: fake.device))) / 2
        try lD.backward()
        try discriminatorOptimizer.step()
        return StepLosses(selfReconstruction: try lSelf.item(), crossReconstruction: try lCross.item(),
                          identityConsistency: try lId.item(), structureConsistency: try lStructure.item(),
                          identityContrast: try lContrast.item(),
                          adversarial: try lAdv.item(), discriminator: try lD.item())
    }

    /// The generator modules' EMA lives in a second `ViewGenerator` on the same encoder; these are
    /// its checkpoint names, and what generation loads into the live modules when present.
    static let emaNames = ["ema.mapping", "ema.structure", "ema.decoder"]

    /// The generator modules (not the discriminator) under their EMA checkpoint names.
    var emaModules: [String: any Module] {
        Dictionary(uniqueKeysWithValues: zip(ViewGenerator.emaNames, generatorModules))
    }
}
