import Torch

extension BatchNorm {
    /// The BNNeck of "Bag of Tricks" (Luo et al., CVPR-W 2019): a BatchNorm1d between the pooled
    /// feature (used by the triplet loss) and the classifier / inference embedding, with weight 1,
    /// bias 0 and the bias frozen (`requiresGrad = false`) so the normalised feature stays centred.
    /// `trainableParameters()` leaves the bias out; `Module.requiresGrad(true)` would unfreeze it.
    public static func bnneck(_ features: Int) throws -> BatchNorm1d {
        let bn = try BatchNorm1d(features)
        bn.bias?.requiresGrad = false
        return bn
    }
}
