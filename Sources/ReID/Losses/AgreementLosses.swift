import Torch

/// PPLR's refinements of noisy pseudo-labels with the cross-agreement score (Cho et al., CVPR 2022).
public enum AgreementLosses {
    /// Agreement-aware label smoothing for one part: per sample, agreement·CE(one-hot) +
    /// (1 − agreement)·KL(uniform ‖ prediction), averaged over the batch. A part whose
    /// neighbours disagree with the global feature's is pushed towards a uniform prediction.
    /// `logits` [B, C], `labels` [B], `agreement` [B] in 0…1.
    public static func aals(_ logits: Tensor, labels: Tensor, agreement: Tensor) throws -> Tensor {
        let logp = try logits.logSoftmax(dim: 1)
        let classes = Double(logits.size(1))
        let ce = try -logp.gather(dim: 1, index: labels.unsqueeze(1)).squeeze(1)
        // KL(u ‖ p) = Σ_c u·(log u − log p_c) with u = 1/C.
        let kl = try (-logp.mean(dim: 1)) + Foundation.log(1 / classes)
        return try (agreement * ce + (1 - agreement) * kl).mean()
    }

    /// Part-guided label refinement for the global feature: the target is
    /// β·one-hot + (1 − β)·Σ_p w_p·softmax(part logits_p), with w = softmax over parts of the
    /// agreement scores; the ensemble is not back-propagated. `partLogits` P × [B, C],
    /// `agreement` [B, P].
    public static func pglr(_ globalLogits: Tensor, partLogits: [Tensor], labels: Tensor, agreement: Tensor,
                            beta: Double) throws -> Tensor {
        let classes = globalLogits.size(1)
        let onehot = try labels.oneHot(classes: classes).to(globalLogits.dtype)
        let weights = try agreement.softmax(dim: 1)
        var ensemble = try Tensor.zeros(globalLogits.shape, device: globalLogits.device)
        for (p, logits) in partLogits.enumerated() {
            let w = try weights.select(dim: 1, index: p).unsqueeze(1)
            ensemble = try ensemble + logits.softmax(dim: 1) * w
        }
        let target = try onehot * beta + ensemble.detached() * (1 - beta)
        return try (-(target * globalLogits.logSoftmax(dim: 1)).sum(dim: 1)).mean()
    }
}

import Foundation
