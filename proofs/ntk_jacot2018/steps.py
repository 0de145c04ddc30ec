"""Jacot, Gabriel, Hongler (NeurIPS 2018), "Neural Tangent Kernel", as presented in seed 003.

Conventions (stated once, used by every step):

* ``jacot``: α̃^{(ℓ+1)} = W^{(ℓ)}α^{(ℓ)}/√n_ℓ + βb^{(ℓ)}, parameters N(0, 1); Σ^{(1)} = xᵀx'/n₀ + β²,
  Σ^{(ℓ+1)} = E_{f∼N(0,Σ^{(ℓ)})}[σ(f(x))σ(f(x'))] + β², Θ^{(1)} = Σ^{(1)},
  Θ^{(ℓ+1)} = Θ^{(ℓ)}Σ̇^{(ℓ+1)} + Σ^{(ℓ+1)}; depth L = number of weight layers.
* ``arora`` (seed 001): Σ^{(0)} = xᵀx', c_σ = 2 for ReLU, L = number of hidden layers.
* Kernel gradient descent on N training points: C(f) = ½ E_{p_in}||f − f*||² = (1/2N)Σ_i||f(x_i) − f*(x_i)||²
  (normalisation 1/N, as in the seed), so ∇_f C = (f − f*)/N and Π = K/N on the training points.
"""
from __future__ import annotations

from verify import Proof, Step

from . import checks
from . import notebook


def build_proof() -> Proof:
    steps = [
        Step("relu-closed-forms", "Arc-cosine closed forms of the ReLU Gaussian expectations",
             "Cho & Saul 2009; used by Σ^{(ℓ+1)}, Σ̇^{(ℓ+1)} (seed 003)",
             "E[ReLU(u)ReLU(v)] = sqrt(ab)(sin θ + (π − θ)cos θ)/(2π), E[1{u>0}1{v>0}] = (π − θ)/(2π), "
             "(u,v) ~ N(0, [[a,c],[c,b]]), θ = arccos(c/sqrt(ab))",
             r"\mathbb{E}[\sigma(u)\sigma(v)] = \tfrac{\sqrt{ab}}{2\pi}(\sin\theta + (\pi-\theta)\cos\theta),\ "
             r"\mathbb{E}[\dot\sigma(u)\dot\sigma(v)] = \tfrac{\pi-\theta}{2\pi}",
             check=checks.check_closed_forms),
        Step("recursion-precision", "NNGP/NTK recursions: float64 Gram matrices agree with mpmath",
             "seed 003 (Jacot recursion), seed 001 (Arora recursion)",
             "ntk_gram (float64) and ntk_gram_mp (30 digits) agree to 1e-12 relative, including ρ = ±1 and ρ ≈ 1 − 1e-12",
             r"\Theta^{(\ell+1)} = \Theta^{(\ell)}\dot\Sigma^{(\ell+1)} + \Sigma^{(\ell+1)}",
             check=checks.check_recursion_precision),
        Step("empirical-ntk-convergence", "The empirical NTK of a finite net converges to Θ^{(L)} at rate m^{-1/2}",
             "seed 003: 'K^{(L)} → K_∞^{(L)} ⊗ Id_{n_L}' (convergence in probability)",
             "||Θ_m − Θ^{(L)}||_F/||Θ^{(L)}||_F → 0 like m^{-1/2} at initialisation (both parameterisations)",
             r"\|\Theta_m - \Theta^{(L)}\|_F / \|\Theta^{(L)}\|_F = O(m^{-1/2})",
             check=checks.check_width_convergence),
        Step("index-slip", "The printed scaling 1/√n_L gives the stated covariance Σ^{(ℓ+1)}",
             "seed 003, slides 'Background: Neural Networks' and 'Choices for getting the limit'",
             "with α̃^{(ℓ+1)} = W^{(ℓ)}α^{(ℓ)}/√n_L + βb^{(ℓ)}, Var α̃^{(L)}(x) = Σ^{(L)}(x,x)",
             r"\tilde\alpha^{(\ell+1)} = \tfrac{1}{\sqrt{n_L}}W^{(\ell)}\alpha^{(\ell)} + \beta b^{(\ell)}"
             r"\ \Rightarrow\ \operatorname{Var}\tilde\alpha^{(L)} = \Sigma^{(L)}(x,x)",
             expect="fails", check=checks.check_index_slip,
             note="Finding: the slides print 1/√n_L; Jacot et al. write 1/√n_ℓ (the fan-in of layer ℓ). With n_L "
                  "(the output width) the pre-activation variances scale with n_ℓ/n_L and have no limit as the "
                  "hidden widths grow; with 1/√n_ℓ they equal Σ^{(ℓ+1)} exactly. Modelled as a step expected to "
                  "fail so the report shows the exact counterexample next to the correction."),
        Step("kernel-gd", "Kernel gradient descent: df/dt = −K∇_f C",
             "seed 003, slide 'Kernel Gradient Descent'",
             "dθ/dt = −∇_θ C and K = ∇_θfᵀ∇_θf imply df/dt = −K ∇_f C",
             r"\frac{df}{dt} = -K\nabla_{f}C,\quad K = \nabla_\theta f^\top\nabla_\theta f",
             check=checks.check_kernel_gd),
        Step("loss-decrease", "The loss decreases: dC/dt = −||∇_f C||²_K ≤ 0",
             "seed 003, slide 'Dynamics of Loss'",
             "dC/dt = −∇_f Cᵀ K ∇_f C = −||Jᵀ∇_f C||² ≤ 0",
             r"\frac{dC}{dt} = -\|\nabla_f C\|_K^2 \le 0", check=checks.check_loss_decrease),
        Step("least-squares-solution", "Least squares: f_t = f* + e^{−tΠ}(f₀ − f*) solves the kernel ODE",
             "seed 003, slide 'Least Square Regression'",
             "with C = ½E||f − f*||² (1/N normalisation) and Π = K/N, f_t = f* + e^{−tΠ}(f₀ − f*) "
             "satisfies df/dt = −Π(f − f*), f(0) = f₀",
             r"f_t = f^* + e^{-t\Pi}(f_0 - f^*),\quad \Pi = K/N", check=checks.check_least_squares_solution),
        Step("lazy-training", "Wide nets trained by GD follow kernel GD; weights and kernel barely move",
             "seed 003, slides 'Kernel during Training', 'Convergence along principal components'",
             "the GD trajectory of a width-m net approaches the kernel GD closed form; ||θ_K − θ₀||/||θ₀|| and "
             "||Θ_m(θ_K) − Θ_m(θ₀)||/||Θ_m(θ₀)|| shrink with m",
             r"\sup_k \|f_k - f_k^{\mathrm{ker}}\| \to 0,\ \|\Theta_m(\theta_K)-\Theta_m(\theta_0)\| \to 0",
             check=checks.check_lazy_training),
        Step("pd-sphere", "Θ^{(L)} is positive definite on the sphere for L ≥ 2",
             "seed 003, slide 'Kernel during Training' (Jacot et al. Prop. 2)",
             "for L ≥ 2 and ReLU (non-polynomial, Lipschitz), with β > 0 (or L ≥ 3 at β = 0), the Gram matrix of "
             "Θ^{(L)} on distinct points of S^{n0−1} is positive definite (checked on the listed point sets)",
             r"L \ge 2 \Rightarrow \lambda_{\min}\big(\Theta^{(L)}(x_i,x_j)\big) > 0,\ x_i \in \mathbb{S}^{n_0-1}",
             assumptions=["L >= 2", "beta > 0 or L >= 3", "points distinct, on the unit sphere"],
             check=checks.check_pd_sphere),
        Step("pd-sphere-beta0", "Θ^{(L)} is positive definite on the sphere for L ≥ 2, also without bias (β = 0)",
             "seed 003, slide 'Kernel during Training' (as printed: no condition on β)",
             "for L = 2, ReLU and β = 0, the Gram matrix of Θ^{(2)} on distinct points of S^{n0−1} is positive definite",
             r"\lambda_{\min}\big(\Theta^{(2)}(x_i,x_j)\big) > 0 \text{ for } \beta = 0",
             expect="fails", check=checks.check_pd_beta0_l2,
             note="Finding: the slide states PD for L ≥ 2 with no condition on β. With ReLU and β = 0 the L = 2 kernel is "
                  "Θ(θ) = (2(π − θ)cos θ + sin θ)/(4π) on S^1, whose frequency-3 Fourier coefficient vanishes, so six "
                  "equispaced points give an exactly singular Gram matrix; β > 0 or L ≥ 3 restores PD on those points. "
                  "Whether Jacot et al.'s own statement assumes β > 0 we cannot check here (paper text not available)."),
        Step("pd-needs-l2", "Without L ≥ 2: Θ^{(1)} is positive definite on the sphere",
             "seed 003 (hypothesis L ≥ 2 dropped)",
             "Θ^{(1)} = xᵀx'/n₀ + β² is positive definite on distinct points of S^{n0−1}",
             r"\Theta^{(1)}(x,x') = x^\top x'/n_0 + \beta^2 \succ 0 \text{ on } \mathbb{S}^{n_0-1}",
             expect="fails", check=checks.check_pd_needs_l2,
             note="Why the hypothesis is needed: Θ^{(1)} has rank at most n0 + 1, so any n0 + 2 points make it "
                  "singular; explicit points on S^1 given."),
        Step("arora-diagonal", "Arora convention: Θ^{(L)}(x, x) = (L + 1)||x||²",
             "seed 001 (Arora et al. 2019 recursion, c_σ = 2)",
             "for ReLU with c_σ = 2, Θ^{(L)}(x,x) = (L+1)||x||² for every L ≥ 0",
             r"\Theta^{(L)}(x,x) = (L+1)\|x\|^2", check=checks.check_arora_diagonal),
    ]
    proof = Proof("ntk-jacot2018", "Neural Tangent Kernel: recursions, kernel gradient descent, positive definiteness",
                 checks.SOURCE, steps,
                 summary="Recursions and closed forms checked at 30 digits; the slides' 1/√n_L is an index slip "
                         "(exact counterexample); kernel GD identities proved symbolically; finite nets measured "
                         "against the kernel (rate m^{-1/2}); PD on the sphere for L ≥ 2 holds on the tested sets "
                         "and fails for L = 1 (explicit singular example).")
    proof.intro = notebook.INTRO
    return proof
