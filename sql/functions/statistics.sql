-- Statistical macros used by the metric models (grain: not a relation).
-- wilson_low / wilson_high: Wilson score interval at 95% (z = 1.959963984540054).
-- normal_two_sided_p: two-sided p-value of a standard normal z, erfc(|z|/sqrt 2), by the
-- Numerical Recipes Chebyshev approximation of erfc (relative error below 1.2e-7).
-- chi_square_p: the upper tail P(X² ≥ x) of a chi-square with df degrees of freedom, by the
-- closed forms of the regularised incomplete gamma function at whole and half-whole shapes
-- (even df: a Poisson sum; odd df: erfc and a finite series), each term in logs.
create or replace macro wilson_low(numerator, denominator) as (
    -- exactly 0 when nothing succeeded (the formula leaves a 1e-17 rounding residue)
    case when numerator = 0 then 0.0 else greatest(0.0, (
        numerator / denominator + 1.959963984540054 ** 2 / (2 * denominator)
        - 1.959963984540054 * sqrt(
            (numerator / denominator) * (1 - numerator / denominator) / denominator
            + 1.959963984540054 ** 2 / (4 * denominator ** 2)
        )
    ) / (1 + 1.959963984540054 ** 2 / denominator)) end
);

create or replace macro wilson_high(numerator, denominator) as (
    -- exactly 1 when everything succeeded
    case when numerator = denominator then 1.0 else least(1.0, (
        numerator / denominator + 1.959963984540054 ** 2 / (2 * denominator)
        + 1.959963984540054 * sqrt(
            (numerator / denominator) * (1 - numerator / denominator) / denominator
            + 1.959963984540054 ** 2 / (4 * denominator ** 2)
        )
    ) / (1 + 1.959963984540054 ** 2 / denominator)) end
);

create or replace macro erfc_chebyshev(t, x) as (
    t * exp(
        -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277))))))))
    )
);

create or replace macro erfc_approx(x) as (
    -- valid for x >= 0, which is all normal_two_sided_p needs
    erfc_chebyshev(1.0 / (1.0 + 0.5 * x), x)
);

create or replace macro normal_two_sided_p(z) as (
    least(1.0, erfc_approx(abs(z) / sqrt(2.0)))
);

create or replace macro chi_square_p(x, df) as (
    case
        when x <= 0 then 1.0
        when df % 2 = 0 then least(1.0, (
            select sum(exp(i * ln(x / 2) - lgamma(i + 1) - x / 2))
            from range(0, df // 2) as t(i)
        ))
        else least(1.0, erfc_approx(sqrt(x / 2)) + coalesce((
            select sum(exp(
                (2 * i - 1) / 2 * ln(x) - lgamma(2 * i + 1) + i * ln(2) + lgamma(i + 1)
                - x / 2 - 0.5 * ln(2 * pi()) + ln(2)
            ))
            from range(1, (df - 1) // 2 + 1) as t(i)
        ), 0))
    end
);

-- Disclosure (metrics.md): a cell with fewer than 10 answers is suppressed, one with 10 to 29
-- indicative (low reliability, [u]). One definition for every model that flags cells.
create or replace macro is_suppressed(denominator) as denominator < 10;

create or replace macro is_indicative(denominator) as denominator between 10 and 29;
