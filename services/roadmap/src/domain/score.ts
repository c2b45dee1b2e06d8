export interface Rice {
  reach: number | null;
  impact: number | null;
  confidence: number | null;
  effort: number | null;
}

/** RICE = reach × impact × confidence ÷ effort, confidence in percent; null until all four are known. */
export function riceScore({ reach, impact, confidence, effort }: Rice): number | null {
  if (reach === null || impact === null || confidence === null || effort === null || effort <= 0) return null;
  return Math.round(((reach * impact * (confidence / 100)) / effort) * 100) / 100;
}
