import { tcpServiceSchema } from '@northstar/common';
import { ROADMAP } from '@northstar/contracts';

export const roadmapConfigSchema = {
  ...tcpServiceSchema(ROADMAP),
};
