//! The elliptic curves of PACE's standardized domain parameters, behind one
//! small interface on encoded points (SEC1, uncompressed) and big-endian
//! scalars, so the protocol code does not care which curve it runs on.

use std::marker::PhantomData;

use bp256::elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use bp256::elliptic_curve::{
    AffinePoint, CurveArithmetic, CurveGroup, FieldBytes, FieldBytesSize, Group, PrimeField, ProjectivePoint, Scalar,
};

/// Point operations on one curve.
pub trait Curve: Send + Sync {
    /// The standardized domain parameter id (BSI TR-03110 / ICAO 9303-11).
    fn parameter_id(&self) -> u8;
    /// Its name, for people.
    fn name(&self) -> &'static str;
    /// Bytes of a scalar (and of a coordinate).
    fn scalar_len(&self) -> usize;
    /// k·G, encoded; `None` for an invalid scalar.
    fn mul_generator(&self, k: &[u8]) -> Option<Vec<u8>>;
    /// k·P, encoded; `None` for an invalid scalar or a point off the curve.
    fn mul(&self, point: &[u8], k: &[u8]) -> Option<Vec<u8>>;
    /// P + Q, encoded.
    fn add(&self, p: &[u8], q: &[u8]) -> Option<Vec<u8>>;
}

struct On<C>(PhantomData<C>, u8, &'static str);

fn scalar<C>(bytes: &[u8]) -> Option<Scalar<C>>
where
    C: CurveArithmetic,
{
    let len = FieldBytes::<C>::default().len();
    if bytes.len() > len {
        return None;
    }
    let mut repr = FieldBytes::<C>::default();
    repr[len - bytes.len()..].copy_from_slice(bytes);
    Option::from(Scalar::<C>::from_repr(repr))
}

fn point<C>(bytes: &[u8]) -> Option<ProjectivePoint<C>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let affine = AffinePoint::<C>::from_sec1_bytes(bytes).ok()?;
    Some(ProjectivePoint::<C>::from(affine))
}

fn encode<C>(p: ProjectivePoint<C>) -> Option<Vec<u8>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bool::from(p.is_identity()) {
        return None;
    }
    Some(p.to_affine().to_sec1_point(false).as_bytes().to_vec())
}

impl<C> Curve for On<C>
where
    C: CurveArithmetic + Send + Sync,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    fn parameter_id(&self) -> u8 {
        self.1
    }

    fn name(&self) -> &'static str {
        self.2
    }

    fn scalar_len(&self) -> usize {
        FieldBytes::<C>::default().len()
    }

    fn mul_generator(&self, k: &[u8]) -> Option<Vec<u8>> {
        encode::<C>(ProjectivePoint::<C>::generator() * scalar::<C>(k)?)
    }

    fn mul(&self, p: &[u8], k: &[u8]) -> Option<Vec<u8>> {
        encode::<C>(point::<C>(p)? * scalar::<C>(k)?)
    }

    fn add(&self, p: &[u8], q: &[u8]) -> Option<Vec<u8>> {
        encode::<C>(point::<C>(p)? + point::<C>(q)?)
    }
}

/// The curve of a standardized domain parameter id, where served.
pub fn by_parameter_id(id: u8) -> Option<Box<dyn Curve>> {
    Some(match id {
        12 => Box::new(On::<p256::NistP256>(PhantomData, 12, "NIST P-256")),
        13 => Box::new(On::<bp256::r1::BrainpoolP256r1>(PhantomData, 13, "brainpoolP256r1")),
        15 => Box::new(On::<p384::NistP384>(PhantomData, 15, "NIST P-384")),
        16 => Box::new(On::<bp384::r1::BrainpoolP384r1>(PhantomData, 16, "brainpoolP384r1")),
        18 => Box::new(On::<p521::NistP521>(PhantomData, 18, "NIST P-521")),
        _ => return None,
    })
}

/// A private key for `curve` from random bytes: cut to the scalar's size
/// with the top bits cleared, so it is below the group order.
pub fn private_key(curve: &dyn Curve, random: &[u8]) -> Vec<u8> {
    let len = curve.scalar_len();
    let mut k: Vec<u8> = random.iter().copied().chain(std::iter::repeat(0x5A)).take(len).collect();
    k[0] &= if len == 66 { 0x00 } else { 0x7F };
    if k.iter().all(|b| *b == 0) {
        k[len - 1] = 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffie_hellman_agrees_on_every_served_curve() {
        for id in [12, 13, 15, 16, 18] {
            let curve = by_parameter_id(id).unwrap();
            let a = private_key(&*curve, &[0x11; 66]);
            let b = private_key(&*curve, &[0x22; 66]);
            let (pa, pb) = (curve.mul_generator(&a).unwrap(), curve.mul_generator(&b).unwrap());
            assert_eq!(pa.len(), 1 + 2 * curve.scalar_len(), "{}", curve.name());
            assert_eq!(curve.mul(&pb, &a), curve.mul(&pa, &b), "{}", curve.name());
            // (a+b)·G = a·G + b·G, through the encodings.
            let sum = curve.add(&pa, &pb).unwrap();
            assert_ne!(sum, pa);
            // A point off the curve is refused.
            let mut bad = pa.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(curve.mul(&bad, &a).is_none(), "{}", curve.name());
        }
        assert!(by_parameter_id(0).is_none());
    }
}
