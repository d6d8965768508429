// No store integration: the code lives in huitou only (stores that import
// codes by hand, or platforms without a coupon API).
import type { CouponProvider } from '../../app/campaign-ports';

export const noCouponPlatform: CouponProvider = {
  async create(request) {
    return { code: request.code, platformId: null };
  },
};
